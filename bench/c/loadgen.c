/* A websocket viewer swarm in C, for benchmarks where a Python client would be
 * the bottleneck. One epoll loop, N non-blocking connections.
 *
 *   loadgen HOST PORT PATH MODE CONNS SECONDS STALL_PERCENT CONNECT_PER_S
 *   MODE: mx  (Multiplex: hello with a participant id, waits for the snapshot)
 *         raw (the plain peers: same hello, same snapshot)
 *         sio (Socket.IO 4 over a websocket: "40" to join, answers pings)
 *
 * It connects everyone, prints READY, waits for GO on stdin, records for SECONDS
 * (latency = receipt time - each update's "at", in ms since the epoch), then
 * prints one JSON line. STALL_PERCENT of the connections stop reading once joined.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { ST_CONNECTING, ST_HANDSHAKE, ST_JOINING, ST_READY, ST_CLOSED };
enum { MODE_MX, MODE_RAW, MODE_SIO };
#define HIST_US 10                 /* histogram bucket: 10 microseconds */
#define HIST_N (30 * 1000 * 100)   /* up to 30 s */

typedef struct {
    int fd, state, stalled;
    char *buf; size_t len, cap;
    double started, joined;
    long long last_seq;
    long long got;
} conn_t;

static int mode;
static const char *host, *path;
static uint32_t *hist;
static long long samples, regressions, closed_early, messages;
static int recording;
/* FOLLOW (optional 9th argument): sites, comma-separated, that viewers follow in turn
 * (Multiplex's hello "follow": each site's track is an audience of its own). */
static char *follow[64];
static int follows;

static double now_s(void) { struct timespec t; clock_gettime(CLOCK_REALTIME, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static double mono_s(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

static void send_frame(conn_t *c, int opcode, const char *data, size_t n) {
    unsigned char head[14]; size_t h = 0;
    unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
    head[h++] = 0x80 | opcode;
    if (n < 126) head[h++] = 0x80 | n;
    else { head[h++] = 0x80 | 126; head[h++] = n >> 8; head[h++] = n & 0xff; }
    memcpy(head + h, mask, 4); h += 4;
    char *out = malloc(h + n);
    memcpy(out, head, h);
    for (size_t i = 0; i < n; i++) out[h + i] = data[i] ^ mask[i & 3];
    ssize_t w = write(c->fd, out, h + n);  /* small frames: a socket buffer takes them whole */
    (void)w;
    free(out);
}

static void hello(conn_t *c, int index) {
    if (mode == MODE_SIO) return;  /* Socket.IO speaks first */
    char msg[160];
    int n = follows
        ? snprintf(msg, sizeof msg, "{\"type\":\"hello\",\"pid\":\"loadgen-%07d\",\"follow\":\"%s\"}", index,
                   follow[index % follows])
        : snprintf(msg, sizeof msg, "{\"type\":\"hello\",\"pid\":\"loadgen-%07d\"}", index);
    send_frame(c, 1, msg, n);
}

static long long parse_ll(const char *p) { long long v = 0; while (*p >= '0' && *p <= '9') v = v * 10 + (*p++ - '0'); return v; }

static void on_text(conn_t *c, char *p, size_t n, int index) {
    char saved = p[n]; p[n] = 0;
    if (mode == MODE_SIO) {
        if (n >= 1 && p[0] == '0' && c->state == ST_JOINING && (n == 1 || p[1] == '{')) {
            send_frame(c, 1, "40", 2); p[n] = saved; return;
        }
        if (n == 1 && p[0] == '2') { send_frame(c, 1, "3", 1); p[n] = saved; return; }
        if (n >= 2 && p[0] == '4' && p[1] == '0') { c->state = ST_READY; c->joined = mono_s(); p[n] = saved; return; }
    } else if (c->state == ST_JOINING && strstr(p, "\"type\":\"snapshot\"")) {
        c->state = ST_READY; c->joined = mono_s(); p[n] = saved; return;
    }
    if (c->state == ST_READY && strstr(p, "\"update\"")) {
        messages++;
        char *s = strstr(p, "\"seq\":");
        if (s) {
            long long seq = parse_ll(s + 6);
            if (seq < c->last_seq) regressions++;
            c->last_seq = seq;
        }
        if (recording) {
            double now_ms = now_s() * 1000.0;
            for (char *a = strstr(p, "\"at\":"); a; a = strstr(a + 5, "\"at\":")) {
                double lat_us = (now_ms - (double)parse_ll(a + 5)) * 1000.0;
                long b = lat_us < 0 ? 0 : (long)(lat_us / HIST_US);
                if (b >= HIST_N) b = HIST_N - 1;
                hist[b]++; samples++; c->got++;
            }
        }
    }
    (void)index;
    p[n] = saved;
}

static void on_readable(conn_t *c, int index) {
    for (;;) {
        if (c->cap - c->len < 65536) { c->cap = c->cap * 2 + 65536; c->buf = realloc(c->buf, c->cap); }
        ssize_t r = read(c->fd, c->buf + c->len, c->cap - c->len);
        if (r == 0) { c->state = ST_CLOSED; closed_early++; close(c->fd); return; }
        if (r < 0) { if (errno == EAGAIN) break; c->state = ST_CLOSED; closed_early++; close(c->fd); return; }
        c->len += r;
    }
    size_t pos = 0;
    if (c->state == ST_HANDSHAKE) {
        char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
        if (!end) return;
        if (strncmp(c->buf, "HTTP/1.1 101", 12) != 0) { c->state = ST_CLOSED; closed_early++; close(c->fd); return; }
        pos = end - c->buf + 4;
        c->state = ST_JOINING;
        hello(c, index);
    }
    while (c->len - pos >= 2) {
        unsigned char *b = (unsigned char *)c->buf + pos;
        size_t need = 2, plen = b[1] & 0x7f;
        if (plen == 126) { if (c->len - pos < 4) break; plen = (b[2] << 8) | b[3]; need = 4; }
        else if (plen == 127) { if (c->len - pos < 10) break; plen = 0; for (int i = 2; i < 10; i++) plen = (plen << 8) | b[i]; need = 10; }
        if (c->len - pos < need + plen) break;
        int opcode = b[0] & 0x0f;
        char *payload = c->buf + pos + need;
        if (opcode == 1) on_text(c, payload, plen, index);
        else if (opcode == 9) send_frame(c, 10, payload, plen);
        else if (opcode == 8) { c->state = ST_CLOSED; closed_early++; close(c->fd); return; }
        pos += need + plen;
    }
    memmove(c->buf, c->buf + pos, c->len - pos);
    c->len -= pos;
}

static void start_handshake(conn_t *c) {
    char req[512];
    const char *extra = mode == MODE_SIO ? (strchr(path, '?') ? "&EIO=4&transport=websocket" : "?EIO=4&transport=websocket") : "";
    int n = snprintf(req, sizeof req, "GET %s%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", path, extra, host);
    ssize_t w = write(c->fd, req, n); (void)w;
    c->state = ST_HANDSHAKE;
}

static int cmp_double(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }

static double pct(double q) {
    long long target = (long long)(q * samples), acc = 0;
    for (long i = 0; i < HIST_N; i++) { acc += hist[i]; if (acc > target) return i * HIST_US / 1000.0; }
    return -1;
}

int main(int argc, char **argv) {
    if (argc < 9) { fprintf(stderr, "usage: loadgen HOST PORT PATH MODE CONNS SECONDS STALL_PERCENT CONNECT_PER_S [FOLLOW [SOURCES [FIRST]]]\n"); return 2; }
    /* SOURCES > 0: connect from 127.0.0.FIRST .. 127.0.0.(FIRST+SOURCES-1), round robin, to get
     * past one address's ephemeral port range (about 28 000 ports) */
    int sources = argc > 10 ? atoi(argv[10]) : 0, first_source = argc > 11 ? atoi(argv[11]) : 2;
    struct rlimit fds;  /* as many sockets as the hard limit allows */
    if (getrlimit(RLIMIT_NOFILE, &fds) == 0 && fds.rlim_cur < fds.rlim_max) {
        fds.rlim_cur = fds.rlim_max; setrlimit(RLIMIT_NOFILE, &fds);
    }
    if (argc > 9 && argv[9][0]) {
        for (char *site = strtok(argv[9], ","); site && follows < 64; site = strtok(NULL, ",")) follow[follows++] = site;
    }
    host = argv[1]; int port = atoi(argv[2]); path = argv[3];
    mode = !strcmp(argv[4], "sio") ? MODE_SIO : !strcmp(argv[4], "raw") ? MODE_RAW : MODE_MX;
    int n = atoi(argv[5]); double seconds = atof(argv[6]); int stall_pct = atoi(argv[7]); double rate = atof(argv[8]);
    hist = calloc(HIST_N, sizeof *hist);
    conn_t *conns = calloc(n, sizeof *conns);
    int ep = epoll_create1(0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, host, &addr.sin_addr);
    struct epoll_event evs[1024];
    double t0 = mono_s();
    int opened = 0, ready = 0, failed = 0;
    /* connect phase */
    while (ready + failed < n) {
        double due = t0 + opened / rate;
        while (opened < n && mono_s() >= due) {
            conn_t *c = &conns[opened];
            c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            if (c->fd < 0) { failed++; opened++; c->state = ST_CLOSED; due = t0 + opened / rate; continue; }
            int one = 1; setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            if (sources > 0) {
                struct sockaddr_in src = {.sin_family = AF_INET, .sin_port = 0};
                src.sin_addr.s_addr = htonl(0x7f000000u | (unsigned)(first_source + opened % sources));
                bind(c->fd, (struct sockaddr *)&src, sizeof src);
            }
            c->started = mono_s(); c->state = ST_CONNECTING; c->last_seq = -1;
            c->stalled = 0;  /* chosen once everyone has joined */
            connect(c->fd, (struct sockaddr *)&addr, sizeof addr);
            struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = opened};
            epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
            opened++;
            due = t0 + opened / rate;
        }
        int k = epoll_wait(ep, evs, 1024, 5);
        for (int i = 0; i < k; i++) {
            int idx = evs[i].data.u32; conn_t *c = &conns[idx];
            if (c->state == ST_CLOSED) continue;
            if (c->state == ST_CONNECTING && (evs[i].events & EPOLLOUT)) {
                int err = 0; socklen_t len = sizeof err; getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
                if (err) { c->state = ST_CLOSED; failed++; close(c->fd); continue; }
                struct epoll_event ev = {.events = EPOLLIN, .data.u32 = idx};
                epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                start_handshake(c);
            }
            if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                int was = c->state;
                on_readable(c, idx);
                if (c->state == ST_READY && was != ST_READY) ready++;
                if (c->state == ST_CLOSED && was != ST_READY) failed++;
            }
        }
        if (mono_s() - t0 > 120) break;
    }
    double connect_all = mono_s() - t0;
    /* stall a share of the joined connections: they never read again */
    int stalled = 0;
    for (int i = 0; i < n; i++) {
        if (conns[i].state == ST_READY && (long long)i * 100 < (long long)stall_pct * n) {
            conns[i].stalled = 1; stalled++;
            epoll_ctl(ep, EPOLL_CTL_DEL, conns[i].fd, NULL);
        }
    }
    double *cts = malloc(sizeof(double) * (ready ? ready : 1)); int m = 0;
    for (int i = 0; i < n; i++) if (conns[i].joined > 0) cts[m++] = (conns[i].joined - conns[i].started) * 1000;
    qsort(cts, m, sizeof *cts, cmp_double);
    printf("READY %d\n", ready); fflush(stdout);
    /* wait for GO, serving traffic meanwhile; stdin is in the same epoll set and read
     * first, so no update that arrives with GO escapes the recording */
    int go = 0; fcntl(0, F_SETFL, O_NONBLOCK);
    struct epoll_event in_ev = {.events = EPOLLIN, .data.u32 = UINT32_MAX};
    epoll_ctl(ep, EPOLL_CTL_ADD, 0, &in_ev);
    char line[64];
    double deadline = 0;
    struct rusage r0, r1;
    while (!go || mono_s() < deadline) {
        int k = epoll_wait(ep, evs, 1024, 5);
        for (int i = 0; i < k && !go; i++) {
            if (evs[i].data.u32 != UINT32_MAX) continue;
            ssize_t got = read(0, line, sizeof line);
            if (got == 0) {  /* the bench that started us is gone: stop, never spin on a closed stdin */
                fprintf(stderr, "loadgen: stdin closed before GO\n");
                return 3;
            }
            if (got > 0) {
                go = 1; recording = 1; deadline = mono_s() + seconds; getrusage(RUSAGE_SELF, &r0);
                epoll_ctl(ep, EPOLL_CTL_DEL, 0, NULL);
            }
        }
        for (int i = 0; i < k; i++) {
            int idx = evs[i].data.u32;
            if (evs[i].data.u32 == UINT32_MAX) continue;
            if (conns[idx].state != ST_CLOSED && !conns[idx].stalled) on_readable(&conns[idx], idx);
        }
    }
    getrusage(RUSAGE_SELF, &r1);
    recording = 0;
    double cpu = (r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) + (r1.ru_utime.tv_usec - r0.ru_utime.tv_usec) / 1e6 +
                 (r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) + (r1.ru_stime.tv_usec - r0.ru_stime.tv_usec) / 1e6;
    long long min_got = -1; int open_now = 0;
    for (int i = 0; i < n; i++) {
        if (conns[i].state == ST_READY && !conns[i].stalled) {
            open_now++;
            if (min_got < 0 || conns[i].got < min_got) min_got = conns[i].got;
        }
    }
    printf("{\"connected\": %d, \"failed\": %d, \"stalled\": %d, \"open_at_end\": %d, \"connect_all_s\": %.3f, "
           "\"connect_p50_ms\": %.1f, \"connect_p99_ms\": %.1f, \"connect_max_ms\": %.1f, "
           "\"samples\": %lld, \"messages\": %lld, \"min_per_viewer\": %lld, \"regressions\": %lld, \"closed\": %lld, "
           "\"p50_ms\": %.2f, \"p99_ms\": %.2f, \"p999_ms\": %.2f, \"max_ms\": %.2f, \"loadgen_cores\": %.3f}\n",
           ready, failed, stalled, open_now, connect_all,
           m ? cts[m / 2] : -1, m ? cts[(int)(m * 0.99)] : -1, m ? cts[m - 1] : -1,
           samples, messages, min_got, regressions, closed_early,
           pct(0.5), pct(0.99), pct(0.999), pct(0.99999), cpu / seconds);
    return 0;
}
