/* An HLS audience in C: N players pulling one live media playlist and its segments
 * through a cache (nginx), as hls.js does, in one epoll loop.
 *
 *   hlsload HOST PORT EVENT TARGET RENDITIONS VIEWERS SECONDS RAMP_S
 *   RENDITIONS: comma-separated, given to the players in turn (e.g. 720p,360p)
 *
 * The players are plain HLS players: they fetch whole segments and ignore the LL-HLS parts.
 * Each player has one keep-alive connection. It reloads its media playlist every
 * segment duration (hls.js reloads a live playlist every target duration), fetches
 * every segment it has not had (starting three from the live edge), and says it is
 * watching (POST .../hls/watching) at start and every 20 s, as the viewer page does.
 * A player model counts stalls: playback starts with three segments; each segment
 * adds its #EXTINF duration; a segment arriving after the buffer ran dry is a stall
 * of the time it was dry.
 *
 * Players start over RAMP_S seconds; then it prints READY, records for SECONDS and
 * prints one JSON line: requests, statuses, nginx's X-Cache-Status, bytes, segment
 * fetch times, stalls, startup times, its own CPU.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define QUEUE 16                  /* segments waiting to be fetched, per player */
#define HIST_MS 1                 /* fetch-time histogram: 1 ms buckets */
#define HIST_N 60000              /* up to 60 s */
#define REPORT_EVERY_S 20.0
static int START_SEGMENTS = 3;     /* hls.js starts three segments from the live edge (HLS_START_SEGMENTS) */

enum { REQ_NONE, REQ_PLAYLIST, REQ_SEGMENT, REQ_REPORT };

typedef struct {
    int fd, index, connected;
    const char *rendition;
    char *buf; size_t len, cap;
    int req; long long req_seg; double req_sent;   /* the request in flight */
    long long queue[QUEUE]; double queue_s[QUEUE]; int queued;  /* segment numbers and durations */
    double req_s;                                  /* the duration of the segment in flight */
    long long last_seg;                            /* the newest segment had or queued */
    double next_playlist, next_report, started;
    /* the player model */
    int segments; double buffered_s, play_start, dry;  /* media had (s); dry: seconds stalled so far */
    int stalled_once;
} player_t;

static const char *host, *event_name, *target;
static double seg_s = 1.0;
static int recording;
static long long requests[4], status_200, status_404, status_503, status_other;
static long long cache_hit, cache_miss, cache_expired, cache_updating, cache_stale, cache_other, cache_none;
static long long bytes, segments_got, stalls, fell_behind, reconnects;
static double stall_seconds;
static long long hist[HIST_N], fetches;
static double *startup_times; static long long startup_n;

static double mono_s(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

static int connect_to(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, host, &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) { close(fd); return -1; }
    return fd;
}

static void send_all(player_t *p, const char *data, int n) {
    /* requests are small: a fresh socket buffer takes them whole */
    ssize_t w = write(p->fd, data, n);
    (void)w;
}

static void request(player_t *p, int kind, long long seg) {
    char msg[512]; int n;
    if (kind == REQ_PLAYLIST)
        n = snprintf(msg, sizeof msg, "GET /hls/%s/%s/%s/index.m3u8 HTTP/1.1\r\nHost: %s\r\n\r\n",
                     event_name, target, p->rendition, host);
    else if (kind == REQ_SEGMENT)
        n = snprintf(msg, sizeof msg, "GET /hls/%s/%s/%s/s%lld.m4s HTTP/1.1\r\nHost: %s\r\n\r\n",
                     event_name, target, p->rendition, seg, host);
    else {
        char body[200];
        int b = snprintf(body, sizeof body, "{\"pid\":\"bench-hls-%07d\",\"target\":\"%s\",\"rendition\":\"%s\"}",
                         p->index, target, p->rendition);
        n = snprintf(msg, sizeof msg, "POST /api/events/%s/hls/watching HTTP/1.1\r\nHost: %s\r\n"
                     "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", event_name, host, b, body);
    }
    p->req = kind; p->req_seg = seg; p->req_sent = mono_s();
    if (recording) requests[kind]++;
    send_all(p, msg, n);
}

/* The player's next request, if it has none in flight: a due report, a queued segment,
 * a due playlist. */
static void next_request(player_t *p, double now) {
    if (p->req != REQ_NONE || !p->connected) return;
    if (now >= p->next_report) { p->next_report = now + REPORT_EVERY_S; request(p, REQ_REPORT, 0); return; }
    if (p->queued) {
        long long seg = p->queue[0];
        p->req_s = p->queue_s[0];
        p->queued--;
        memmove(p->queue, p->queue + 1, p->queued * sizeof p->queue[0]);
        memmove(p->queue_s, p->queue_s + 1, p->queued * sizeof p->queue_s[0]);
        request(p, REQ_SEGMENT, seg);
        return;
    }
    if (now >= p->next_playlist) { p->next_playlist = now + seg_s; request(p, REQ_PLAYLIST, 0); }
}

static void queue_segment(player_t *p, long long seg, double duration) {
    if (p->queued < QUEUE) { p->queue[p->queued] = seg; p->queue_s[p->queued++] = duration; }
    p->last_seg = seg;
}

static void on_playlist(player_t *p, const char *body, size_t n) {
    long long listed[64]; double durations[64]; int count = 0;
    double duration = seg_s;                       /* each segment's #EXTINF, just above it */
    for (const char *s = body; s < body + n; ) {
        const char *eol = memchr(s, '\n', body + n - s);
        if (!eol) eol = body + n;
        if (eol - s > 8 && !memcmp(s, "#EXTINF:", 8)) duration = atof(s + 8);
        else if (eol - s > 5 && s[0] == 's' && s[1] >= '0' && s[1] <= '9' && count < 64) {
            /* a whole segment, sN.m4s (the LL-HLS parts are in #EXT-X-PART tags: a plain player skips them) */
            long long v = 0;
            const char *d = s + 1;
            for (; d < eol && *d >= '0' && *d <= '9'; d++) v = v * 10 + (*d - '0');
            if (eol - d >= 4 && !memcmp(d, ".m4s", 4)) { listed[count] = v; durations[count++] = duration; }
        }
        s = eol + 1;
    }
    if (!count) return;
    if (p->last_seg < 0) {                         /* join: three from the live edge */
        int from = count > START_SEGMENTS ? count - START_SEGMENTS : 0;
        for (int i = from; i < count; i++) queue_segment(p, listed[i], durations[i]);
        return;
    }
    if (listed[0] > p->last_seg + 1 && recording) fell_behind++;  /* the window moved past us */
    for (int i = 0; i < count; i++) if (listed[i] > p->last_seg) queue_segment(p, listed[i], durations[i]);
}

static void on_segment(player_t *p, double now) {
    if (recording) {
        long b = (long)((now - p->req_sent) * 1000.0 / HIST_MS);
        hist[b < HIST_N ? b : HIST_N - 1]++; fetches++; segments_got++;
    }
    p->segments++;
    double before = p->buffered_s;
    p->buffered_s += p->req_s;
    if (p->play_start == 0) {
        if (p->segments >= START_SEGMENTS) {
            p->play_start = now;
            startup_times[startup_n++] = now - p->started;  /* every player's, the ramp's too */
        }
        return;
    }
    /* buffered media minus media played: below zero, the picture froze for that long */
    double buffered = before - (now - p->play_start - p->dry);
    if (buffered < 0) {
        p->dry += -buffered;
        if (recording) { stalls++; stall_seconds += -buffered; p->stalled_once = 1; }
    }
}

static void count_cache(const char *head, size_t n) {
    const char *h = memmem(head, n, "X-Cache-Status: ", 16);
    if (!h) { if (recording) cache_none++; return; }
    h += 16;
    if (!recording) return;
    if (!strncmp(h, "HIT", 3)) cache_hit++;
    else if (!strncmp(h, "MISS", 4)) cache_miss++;
    else if (!strncmp(h, "EXPIRED", 7)) cache_expired++;
    else if (!strncmp(h, "UPDATING", 8)) cache_updating++;
    else if (!strncmp(h, "STALE", 5)) cache_stale++;
    else cache_other++;
}

/* One complete response in p->buf? Handle it and return its length; 0 when incomplete. */
static size_t one_response(player_t *p, double now) {
    char *end = memmem(p->buf, p->len, "\r\n\r\n", 4);
    if (!end) return 0;
    size_t head = end + 4 - p->buf;
    long long length = 0;
    char *cl = memmem(p->buf, head, "Content-Length: ", 16);
    if (!cl) cl = memmem(p->buf, head, "content-length: ", 16);
    if (cl) length = atoll(cl + 16);
    if (p->len < head + (size_t)length) return 0;
    int status = atoi(p->buf + 9);
    if (recording) {
        if (status == 200) status_200++; else if (status == 404) status_404++;
        else if (status == 503) status_503++; else if (status != 204) status_other++;
        bytes += length;
    }
    int kind = p->req;
    p->req = REQ_NONE;
    if (kind != REQ_REPORT) count_cache(p->buf, head);
    if (kind == REQ_PLAYLIST && status == 200) on_playlist(p, p->buf + head, length);
    if (kind == REQ_SEGMENT && status == 200) on_segment(p, now);
    return head + length;
}

static void reconnect(player_t *p, int port, int ep) {
    if (p->fd >= 0) { epoll_ctl(ep, EPOLL_CTL_DEL, p->fd, NULL); close(p->fd); }
    if (p->req == REQ_SEGMENT && p->queued < QUEUE) {   /* ask for it again */
        memmove(p->queue + 1, p->queue, p->queued * sizeof p->queue[0]);
        memmove(p->queue_s + 1, p->queue_s, p->queued * sizeof p->queue_s[0]);
        p->queue[0] = p->req_seg; p->queue_s[0] = p->req_s; p->queued++;
    }
    p->req = REQ_NONE; p->len = 0; p->connected = 0;
    p->fd = connect_to(port);
    if (p->fd < 0) return;
    struct epoll_event e = {.events = EPOLLIN | EPOLLOUT, .data.ptr = p};
    epoll_ctl(ep, EPOLL_CTL_ADD, p->fd, &e);
    if (recording) reconnects++;
}

static void on_event(player_t *p, unsigned events, int port, int ep, double now) {
    if (!p->connected && (events & EPOLLOUT)) {
        int err = 0; socklen_t l = sizeof err;
        getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &l);
        if (err) { reconnect(p, port, ep); return; }
        p->connected = 1;
        struct epoll_event e = {.events = EPOLLIN, .data.ptr = p};
        epoll_ctl(ep, EPOLL_CTL_MOD, p->fd, &e);
    }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        for (;;) {
            if (p->cap - p->len < 65536) { p->cap = p->cap * 2 + 65536; p->buf = realloc(p->buf, p->cap); }
            ssize_t r = read(p->fd, p->buf + p->len, p->cap - p->len);
            if (r == 0 || (r < 0 && errno != EAGAIN)) { reconnect(p, port, ep); return; }
            if (r < 0) break;
            p->len += r;
        }
        size_t used;
        while (p->len && (used = one_response(p, now)) > 0) {
            memmove(p->buf, p->buf + used, p->len - used);
            p->len -= used;
        }
    }
    next_request(p, now);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double hist_pct(double q) {
    long long want = (long long)(q * fetches), seen = 0;
    for (int i = 0; i < HIST_N; i++) { seen += hist[i]; if (seen > want) return i * HIST_MS; }
    return HIST_N * HIST_MS;
}

int main(int argc, char **argv) {
    if (argc < 9) { fprintf(stderr, "usage: hlsload HOST PORT EVENT TARGET RENDITIONS VIEWERS SECONDS RAMP_S\n"); return 2; }
    host = argv[1]; int port = atoi(argv[2]); event_name = argv[3]; target = argv[4];
    char *renditions[16]; int nr = 0;
    for (char *tok = strtok(argv[5], ","); tok && nr < 16; tok = strtok(NULL, ",")) renditions[nr++] = tok;
    int n = atoi(argv[6]); double seconds = atof(argv[7]), ramp = atof(argv[8]);
    if (getenv("HLS_SEGMENT_S")) seg_s = atof(getenv("HLS_SEGMENT_S"));
    if (getenv("HLS_START_SEGMENTS")) START_SEGMENTS = atoi(getenv("HLS_START_SEGMENTS"));
    struct rlimit rl; getrlimit(RLIMIT_NOFILE, &rl); rl.rlim_cur = rl.rlim_max; setrlimit(RLIMIT_NOFILE, &rl);

    player_t *players = calloc(n, sizeof *players);
    startup_times = calloc(n + 1, sizeof *startup_times);
    int ep = epoll_create1(0);
    double t0 = mono_s();
    srand(7);
    for (int i = 0; i < n; i++) {
        player_t *p = &players[i];
        p->index = i; p->fd = -1; p->last_seg = -1; p->rendition = renditions[i % nr];
        p->started = t0 + ramp * i / (n > 1 ? n - 1 : 1);   /* joins spread over the ramp */
        p->next_playlist = p->started;
        p->next_report = p->started;
    }
    int joined = 0, ready_said = 0;
    struct epoll_event events[1024];
    struct rusage r0, r1; double record_from = 0;
    for (;;) {
        double now = mono_s();
        while (joined < n && players[joined].started <= now) {
            reconnect(&players[joined], port, ep);
            joined++;
        }
        if (!ready_said && joined == n) {
            ready_said = 1; recording = 1; record_from = now; getrusage(RUSAGE_SELF, &r0);
            reconnects = 0;
            printf("READY %d\n", n); fflush(stdout);
        }
        if (ready_said && now - record_from >= seconds) break;
        int k = epoll_wait(ep, events, 1024, 5);
        now = mono_s();
        for (int i = 0; i < k; i++) on_event(events[i].data.ptr, events[i].events, port, ep, now);
        /* due playlists and reports; and the buffer running dry shows at the next arrival */
        static double last_scan;
        if (now - last_scan >= 0.01) {
            last_scan = now;
            for (int i = 0; i < joined; i++) next_request(&players[i], now);
        }
    }
    getrusage(RUSAGE_SELF, &r1);
    double elapsed = mono_s() - record_from;
    double cpu = (r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) + (r1.ru_utime.tv_usec - r0.ru_utime.tv_usec) / 1e6 +
                 (r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) + (r1.ru_stime.tv_usec - r0.ru_stime.tv_usec) / 1e6;
    /* a player still waiting for its picture at the end has stalled that long too */
    long long stalled_players = 0, playing = 0;
    double now = mono_s();
    for (int i = 0; i < n; i++) {
        player_t *p = &players[i];
        if (p->play_start == 0) continue;
        playing++;
        double buffered = p->buffered_s - (now - p->play_start - p->dry);
        if (buffered < -seg_s) { stalls++; stall_seconds += -buffered; p->stalled_once = 1; }
        stalled_players += p->stalled_once;
    }
    qsort(startup_times, startup_n, sizeof *startup_times, cmp_double);
    long long cached = cache_hit + cache_miss + cache_expired + cache_updating + cache_stale + cache_other;
    printf("{\"viewers\": %d, \"seconds\": %.1f, \"playing\": %lld, \"requests_playlist\": %lld, "
           "\"requests_segment\": %lld, \"requests_report\": %lld, \"requests_per_s\": %.0f, "
           "\"status_200\": %lld, \"status_404\": %lld, \"status_503\": %lld, \"status_other\": %lld, "
           "\"cache_hit\": %lld, \"cache_miss\": %lld, \"cache_expired\": %lld, \"cache_updating\": %lld, "
           "\"cache_stale\": %lld, \"cache_other\": %lld, \"cache_none\": %lld, \"hit_ratio\": %.4f, "
           "\"bytes\": %lld, \"mbit_per_s\": %.1f, \"segments\": %lld, \"segment_fetch_p50_ms\": %.0f, "
           "\"segment_fetch_p95_ms\": %.0f, \"segment_fetch_p99_ms\": %.0f, \"stalls\": %lld, "
           "\"stall_seconds\": %.1f, \"players_stalled\": %lld, \"fell_behind\": %lld, \"reconnects\": %lld, "
           "\"startup_p50_s\": %.2f, \"startup_p95_s\": %.2f, \"loadgen_cores\": %.3f}\n",
           n, elapsed, playing, requests[REQ_PLAYLIST], requests[REQ_SEGMENT], requests[REQ_REPORT],
           (requests[1] + requests[2] + requests[3]) / elapsed, status_200, status_404, status_503, status_other,
           cache_hit, cache_miss, cache_expired, cache_updating, cache_stale, cache_other, cache_none,
           cached ? (double)(cache_hit + cache_updating + cache_stale) / cached : 0.0,
           bytes, bytes * 8 / elapsed / 1e6, segments_got, hist_pct(0.5), hist_pct(0.95), hist_pct(0.99),
           stalls, stall_seconds, stalled_players, fell_behind, reconnects,
           startup_n ? startup_times[startup_n / 2] : 0.0,
           startup_n ? startup_times[(long long)(startup_n * 0.95)] : 0.0, cpu / elapsed);
    return 0;
}
