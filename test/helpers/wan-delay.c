/*
 * wan-delay: a userspace WAN link between two interfaces, because this kernel has no netem.
 *
 *   wan-delay IFACE_A IFACE_B DELAY_MS
 *
 * Every Ethernet frame that arrives on one interface leaves on the other DELAY_MS later, in both
 * directions, which turns two bridges into two sites a WAN apart. Rate limiting is not done here:
 * a tbf qdisc on each interface's egress does it, and our sends go through that qdisc (packet
 * sockets use it unless PACKET_QDISC_BYPASS is set), so a full queue drops frames like a router.
 *
 * Frames are read and written with AF_PACKET sockets carrying a virtio_net_hdr (PACKET_VNET_HDR):
 * veths pass 64 KiB GSO frames with checksums still to be filled in, and the header lets the
 * kernel segment and checksum them on the way out, as it does for a VM's tap device. One thread
 * per direction owns a byte ring of timestamped frames: it polls its receive socket with a timeout
 * equal to the wait until the oldest frame is due, then sends what is due. Prints counters to
 * stderr on SIGTERM/SIGINT and exits 0.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

/* 20 ms of a 10 Gbit/s burst fits; at 200 Mbit/s the ring never holds more than about 1 MiB. */
#define RING_BYTES (64u << 20)
/* A veth GSO frame is at most 64 KiB plus headers; anything larger is truncated and dropped. */
#define MAX_FRAME (256u << 10)
#define WRAP_MARK UINT32_MAX

struct record {
  uint64_t due_ns;
  uint32_t len; /* bytes of virtio_net_hdr + frame that follow, or WRAP_MARK */
  uint32_t pad;
};

struct direction {
  const char *name;
  int rx;
  int tx;
  uint64_t delay_ns;
  unsigned char *ring;
  size_t head; /* oldest record */
  size_t tail; /* where the next record goes */
  size_t used; /* bytes between head and tail, wrap gaps included */
  unsigned long long frames, bytes, drops_full, drops_tx, truncated;
};

static volatile sig_atomic_t stopping;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what) {
  perror(what);
  exit(1);
}

/* A packet socket bound to one interface; receiving ones see all protocols but not our own sends. */
static int open_socket(const char *ifname, int receive) {
  int protocol = receive ? htons(ETH_P_ALL) : 0;
  int fd = socket(AF_PACKET, SOCK_RAW, protocol);
  if (fd < 0) die("socket(AF_PACKET)");
  int one = 1;
  if (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof one) < 0) die("PACKET_VNET_HDR");
  if (receive && setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) < 0)
    die("PACKET_IGNORE_OUTGOING");
  /* Large buffers: a burst must wait in the socket, not be dropped, while the thread sends. */
  int size = 32 << 20;
  setsockopt(fd, SOL_SOCKET, receive ? SO_RCVBUFFORCE : SO_SNDBUFFORCE, &size, sizeof size);
  struct sockaddr_ll addr = {0};
  addr.sll_family = AF_PACKET;
  addr.sll_protocol = (unsigned short)protocol;
  addr.sll_ifindex = (int)if_nametoindex(ifname);
  if (addr.sll_ifindex == 0) die(ifname);
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
  return fd;
}

/* Records are 16-byte aligned, so a gap at the ring's end is either empty or holds a wrap mark. */
static size_t record_size(uint32_t len) { return (sizeof(struct record) + len + 15u) & ~(size_t)15u; }

/* Sends every frame whose time has come; returns the wait until the next one, or -1 if none. */
static int64_t release_due(struct direction *d) {
  while (d->used > 0) {
    if (d->head == RING_BYTES) d->head = 0;
    struct record *r = (struct record *)(d->ring + d->head);
    if (r->len == WRAP_MARK) {
      d->used -= RING_BYTES - d->head;
      d->head = 0;
      continue;
    }
    uint64_t now = now_ns();
    if (r->due_ns > now) return (int64_t)(r->due_ns - now);
    if (send(d->tx, r + 1, r->len, MSG_DONTWAIT) < 0) d->drops_tx++;
    size_t size = record_size(r->len);
    d->head += size;
    d->used -= size;
  }
  d->head = d->tail = 0;
  return -1;
}

/* Room for one more frame at the tail, wrapping to the start if the end is too short. */
static struct record *reserve(struct direction *d) {
  size_t need = record_size(MAX_FRAME);
  if (d->tail == RING_BYTES) d->tail = 0;
  if (RING_BYTES - d->tail < need) {
    size_t gap = RING_BYTES - d->tail;
    if (d->used + gap + need > RING_BYTES || d->head < need) return NULL;
    ((struct record *)(d->ring + d->tail))->len = WRAP_MARK;
    d->used += gap;
    d->tail = 0;
  }
  if (d->used > 0 && d->tail < d->head && d->head - d->tail < need) return NULL;
  if (d->used + need > RING_BYTES) return NULL;
  return (struct record *)(d->ring + d->tail);
}

/* Reads every frame waiting on the receive socket into the ring, stamped with its due time. */
static void receive_ready(struct direction *d) {
  static __thread unsigned char scratch[MAX_FRAME];
  for (int i = 0; i < 256; i++) {
    struct record *r = reserve(d);
    unsigned char *into = r ? (unsigned char *)(r + 1) : scratch;
    ssize_t n = recv(d->rx, into, MAX_FRAME, MSG_DONTWAIT | MSG_TRUNC);
    if (n < 0) return; /* EAGAIN: drained */
    if ((size_t)n > MAX_FRAME) {
      d->truncated++;
      continue;
    }
    if (r == NULL) {
      d->drops_full++;
      continue;
    }
    r->due_ns = now_ns() + d->delay_ns;
    r->len = (uint32_t)n;
    size_t size = record_size(r->len);
    d->tail += size;
    d->used += size;
    d->frames++;
    d->bytes += (unsigned long long)n - sizeof(struct virtio_net_hdr);
  }
}

static void *run_direction(void *arg) {
  struct direction *d = arg;
  struct pollfd pfd = {.fd = d->rx, .events = POLLIN};
  while (!stopping) {
    int64_t wait_ns = release_due(d);
    /* Wake at least every 100 ms so a stop request is noticed. */
    if (wait_ns < 0 || wait_ns > 100000000) wait_ns = 100000000;
    struct timespec timeout = {.tv_sec = 0, .tv_nsec = (long)wait_ns};
    int ready = ppoll(&pfd, 1, &timeout, NULL);
    if (ready < 0 && errno != EINTR) die("ppoll");
    if (ready > 0) receive_ready(d);
  }
  return NULL;
}

static void on_signal(int sig) {
  (void)sig;
  stopping = 1;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s IFACE_A IFACE_B DELAY_MS\n", argv[0]);
    return 2;
  }
  uint64_t delay_ns = (uint64_t)(atof(argv[3]) * 1e6);
  struct direction dirs[2] = {
      {.name = "a->b", .rx = open_socket(argv[1], 1), .tx = open_socket(argv[2], 0), .delay_ns = delay_ns},
      {.name = "b->a", .rx = open_socket(argv[2], 1), .tx = open_socket(argv[1], 0), .delay_ns = delay_ns},
  };
  struct sigaction sa = {0};
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  pthread_t threads[2];
  for (int i = 0; i < 2; i++) {
    dirs[i].ring = aligned_alloc(16, RING_BYTES);
    if (dirs[i].ring == NULL) die("aligned_alloc");
    if (pthread_create(&threads[i], NULL, run_direction, &dirs[i]) != 0) die("pthread_create");
  }
  fprintf(stderr, "wan-delay: %s <-> %s, %s ms each way, ready\n", argv[1], argv[2], argv[3]);
  for (int i = 0; i < 2; i++) pthread_join(threads[i], NULL);
  for (int i = 0; i < 2; i++) {
    struct direction *d = &dirs[i];
    fprintf(stderr, "wan-delay %s: %llu frames, %llu bytes, dropped %llu (ring full) %llu (tx queue), %llu truncated\n",
            d->name, d->frames, d->bytes, d->drops_full, d->drops_tx, d->truncated);
  }
  return 0;
}
