import { expect, test } from 'vitest'
import { describeReplicationStart, replicationStart } from '../../../src/core/backup-position.js'

test('binlog file, position and GTID come from *_binlog_info', () => {
  const start = replicationStart({ binlogInfo: 'mysql-bin.000003\t1234\t0-1-42', slaveInfo: null })
  expect(start).toEqual({
    binlogFile: 'mysql-bin.000003',
    binlogPosition: 1234,
    gtid: '0-1-42',
    slaveInfo: null,
  })
  expect(describeReplicationStart(start as NonNullable<typeof start>)).toBe(
    'mysql-bin.000003:1234, GTID 0-1-42',
  )
})

test('a backup without GTIDs, and one from a replica with its slave info', () => {
  expect(replicationStart({ binlogInfo: 'b.000001\t4', slaveInfo: null })).toMatchObject({
    gtid: null,
    binlogPosition: 4,
  })
  const replica = replicationStart({
    binlogInfo: 'b.000002\t99\t0-2-7',
    slaveInfo: "SET GLOBAL gtid_slave_pos = '0-1-5';\nCHANGE MASTER TO master_use_gtid = slave_pos",
  })
  expect(describeReplicationStart(replica as NonNullable<typeof replica>)).toBe(
    "b.000002:99, GTID 0-2-7, its primary: SET GLOBAL gtid_slave_pos = '0-1-5'; CHANGE MASTER TO master_use_gtid = slave_pos",
  )
})

test('nothing to say without either file; a garbled position is unknown, not a number', () => {
  expect(replicationStart({ binlogInfo: null, slaveInfo: null })).toBeNull()
  expect(replicationStart({ binlogInfo: 'b.000001\tlots', slaveInfo: null })).toMatchObject({
    binlogPosition: null,
  })
})
