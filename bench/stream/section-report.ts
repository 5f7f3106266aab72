/** One part of the report: its heading, its text and tables, and one line per goal it checks. */
export interface SectionReport {
  title: string
  lines: string[]
  goals: string[]
}
