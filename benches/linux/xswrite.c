/*
 * xswrite: the Linux reference for the Xenstore write benchmark.
 *
 * Usage: xswrite N W S [PREFIX]
 *        xswrite --check N W S PREFIX
 *
 * N threads each send W Xenstore WRITE requests, one after another (each waits for its reply
 * before sending the next), of an S-byte value. Every thread has its own descriptor on
 * /dev/xen/xenbus, the Linux xenbus frontend device, and speaks the raw wire protocol: one
 * write(2) carries a whole request (16-byte header: type, req_id, tx_id, len as little-endian
 * u32, then the payload) and read(2) returns the replies. The kernel multiplexes every
 * descriptor's requests onto the domain's single Xenstore ring, giving each its own request
 * id and handing the reply back with the caller's req_id, so the N threads' requests are in
 * flight together.
 *
 * Keys and values, so that the final state is predictable:
 *   thread t's write i (both from 0) goes to PREFIX/t/(i mod 10), relative to the domain's
 *   home; its value is the text "t.i" padded with '.' to S bytes (cut to S bytes when longer).
 *   Key PREFIX/t/k therefore ends with the value of t's last write i with i mod 10 == k, and
 *   a run leaves at most N * 10 keys (plus the N thread directories and PREFIX).
 *
 * Before the timed part, PREFIX is removed (so every run creates its keys afresh) and every
 * thread opens its descriptor. The time is from the first request sent by any thread to the
 * last reply received by any thread (CLOCK_MONOTONIC). After it, every key is read back and
 * compared with its expected value, untimed.
 *
 * Output on stdout, one line each:
 *   xswrite: n=N w=W s=S ms=T errors=E
 *   xswrite: checked keys=K mismatches=M
 * T has three decimals; E counts error replies (type 16, XS_ERROR) and replies of any other
 * unexpected type; M counts keys that are missing or hold another value. Failures of the
 * device itself go to stderr.
 *
 * Check mode (--check), run by dom0's agent in scripts/xen-qemu for another domain's run of
 * the same workload: nothing is written; PREFIX (absolute, e.g. /local/domain/5/data/bench)
 * must hold exactly the keys that N writers of W writes leave, each with its expected value:
 * PREFIX lists the writers 0..N-1 and nothing else, each writer's node the keys 0..K-1
 * (K = min(W, 10)) and nothing else. Then PREFIX is removed, so that the next cell starts
 * clean. Output, one line:
 *   xswrite: checked keys=K mismatches=M extra=X
 * M counts keys missing or holding another value, X names listed that should not be there.
 *
 * Exit status: 0 no errors and no mismatches (nor extra names); 1 errors or mismatches; 2 bad
 * arguments or the device could not be used.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define XENBUS_DEVICE "/dev/xen/xenbus"

/* Xenstore message types (xs_wire.h) used here. */
enum { XS_DIRECTORY = 1, XS_READ = 2, XS_WRITE = 11, XS_RM = 13, XS_ERROR = 16 };

#define HEADER_SIZE 16
#define PAYLOAD_MAX 4096 /* XENSTORE_PAYLOAD_MAX */
#define KEYS_PER_THREAD 10
#define MAX_THREADS 1000

struct reply {
    uint32_t type, req_id, tx_id, len;
    char payload[PAYLOAD_MAX + 1]; /* NUL-terminated copy */
};

struct worker {
    pthread_t thread;
    int index;
    int fd;
    long writes;
    long errors;
    int failed; /* the device failed: the run is invalid */
    struct timespec first_sent, last_received;
};

static long writes_per_thread, value_size;
static const char *prefix = "data/bench";
static pthread_barrier_t start_barrier;

static void put_u32(unsigned char *at, uint32_t value) {
    at[0] = value & 0xff;
    at[1] = (value >> 8) & 0xff;
    at[2] = (value >> 16) & 0xff;
    at[3] = (value >> 24) & 0xff;
}

static uint32_t get_u32(const unsigned char *at) {
    return (uint32_t)at[0] | (uint32_t)at[1] << 8 | (uint32_t)at[2] << 16 |
           (uint32_t)at[3] << 24;
}

/* Sends one request in a single write(2): the device acts on a message once it is whole. */
static int send_request(int fd, uint32_t type, uint32_t req_id, const char *payload,
                        size_t len) {
    unsigned char message[HEADER_SIZE + PAYLOAD_MAX];
    if (len > PAYLOAD_MAX) {
        errno = E2BIG;
        return -1;
    }
    put_u32(message, type);
    put_u32(message + 4, req_id);
    put_u32(message + 8, 0); /* no transaction */
    put_u32(message + 12, (uint32_t)len);
    memcpy(message + HEADER_SIZE, payload, len);
    size_t total = HEADER_SIZE + len;
    ssize_t written;
    do {
        written = write(fd, message, total);
    } while (written < 0 && errno == EINTR);
    if (written < 0)
        return -1;
    if ((size_t)written != total) {
        errno = EIO;
        return -1;
    }
    return 0;
}

/* Reads exactly len bytes; a read may return part of a reply. */
static int read_exactly(int fd, void *buffer, size_t len) {
    size_t done = 0;
    while (done < len) {
        ssize_t got = read(fd, (char *)buffer + done, len - done);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return -1;
        if (got == 0) {
            errno = EPIPE;
            return -1;
        }
        done += (size_t)got;
    }
    return 0;
}

static int read_reply(int fd, struct reply *reply) {
    unsigned char header[HEADER_SIZE];
    if (read_exactly(fd, header, sizeof header) < 0)
        return -1;
    reply->type = get_u32(header);
    reply->req_id = get_u32(header + 4);
    reply->tx_id = get_u32(header + 8);
    reply->len = get_u32(header + 12);
    if (reply->len > PAYLOAD_MAX) {
        errno = EPROTO;
        return -1;
    }
    if (read_exactly(fd, reply->payload, reply->len) < 0)
        return -1;
    reply->payload[reply->len] = '\0';
    return 0;
}

/* One request and its reply; returns -1 when the device fails. */
static int transact(int fd, uint32_t type, uint32_t req_id, const char *payload, size_t len,
                    struct reply *reply) {
    if (send_request(fd, type, req_id, payload, len) < 0 || read_reply(fd, reply) < 0)
        return -1;
    if (reply->req_id != req_id) {
        errno = EPROTO;
        return -1;
    }
    return 0;
}

static void key_path(char *out, size_t size, int thread, long key) {
    snprintf(out, size, "%s/%d/%ld", prefix, thread, key);
}

/* The value of thread's write i: "thread.i" cut or padded with '.' to value_size bytes. */
static void make_value(char *out, int thread, long i) {
    char text[48];
    int len = snprintf(text, sizeof text, "%d.%ld", thread, i);
    if (len > value_size)
        len = (int)value_size;
    memcpy(out, text, (size_t)len);
    memset(out + len, '.', (size_t)(value_size - len));
}

/* Builds "path\0value" (a WRITE's payload; the value has no terminator). */
static size_t write_payload(char *out, int thread, long i) {
    char path[256];
    key_path(path, sizeof path, thread, i % KEYS_PER_THREAD);
    size_t path_len = strlen(path) + 1;
    memcpy(out, path, path_len);
    make_value(out + path_len, thread, i);
    return path_len + (size_t)value_size;
}

static void *run_worker(void *arg) {
    struct worker *w = arg;
    struct reply reply;
    char payload[PAYLOAD_MAX];
    pthread_barrier_wait(&start_barrier);
    for (long i = 0; i < writes_per_thread; i++) {
        size_t len = write_payload(payload, w->index, i);
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (i == 0)
            w->first_sent = now;
        if (transact(w->fd, XS_WRITE, (uint32_t)i, payload, len, &reply) < 0) {
            fprintf(stderr, "xswrite: thread %d, write %ld: %s\n", w->index, i,
                    strerror(errno));
            w->failed = 1;
            break;
        }
        clock_gettime(CLOCK_MONOTONIC, &w->last_received);
        w->writes++;
        if (reply.type != XS_WRITE) {
            if (w->errors == 0)
                fprintf(stderr, "xswrite: thread %d, write %ld: reply type %" PRIu32 " %s\n",
                        w->index, i, reply.type, reply.payload);
            w->errors++;
        }
    }
    return NULL;
}

/* Reads back every key and counts those that do not hold their last write's value. */
static long check_keys(int fd, int threads, long *checked) {
    static struct reply reply;
    char path[256], expected[PAYLOAD_MAX];
    long mismatches = 0;
    long keys = writes_per_thread < KEYS_PER_THREAD ? writes_per_thread : KEYS_PER_THREAD;
    *checked = 0;
    for (int t = 0; t < threads; t++) {
        for (long k = 0; k < keys; k++) {
            /* The last i below writes_per_thread with i mod 10 == k. */
            long last = (writes_per_thread - 1 - k) / KEYS_PER_THREAD * KEYS_PER_THREAD + k;
            key_path(path, sizeof path, t, k);
            make_value(expected, t, last);
            if (transact(fd, XS_READ, 0, path, strlen(path) + 1, &reply) < 0) {
                fprintf(stderr, "xswrite: reading %s: %s\n", path, strerror(errno));
                return -1;
            }
            (*checked)++;
            if (reply.type != XS_READ || reply.len != (uint32_t)value_size ||
                memcmp(reply.payload, expected, (size_t)value_size) != 0) {
                /* Only the start of long values: enough to tell which write it was. */
                if (mismatches == 0)
                    fprintf(stderr,
                            "xswrite: %s holds '%.40s' (type %" PRIu32 ", %" PRIu32
                            " bytes), expected '%.*s' (%ld bytes)\n",
                            path, reply.payload, reply.type, reply.len,
                            (int)(value_size < 40 ? value_size : 40), expected, value_size);
                mismatches++;
            }
        }
    }
    return mismatches;
}

/* Counts the names in PREFIX/sub (sub may be empty) that are not "0".."count-1"; a name
 * listed twice counts too. Returns -1 when the device fails; a missing node lists nothing. */
static long extra_names(int fd, const char *sub, long count) {
    static struct reply reply;
    char path[256], seen[MAX_THREADS];
    snprintf(path, sizeof path, "%s%s", prefix, sub);
    if (transact(fd, XS_DIRECTORY, 0, path, strlen(path) + 1, &reply) < 0) {
        fprintf(stderr, "xswrite: listing %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (reply.type != XS_DIRECTORY)
        return 0;
    memset(seen, 0, sizeof seen);
    long extra = 0;
    /* The payload is a sequence of NUL-terminated names. */
    for (uint32_t at = 0; at < reply.len;) {
        const char *name = reply.payload + at;
        size_t len = strnlen(name, reply.len - at);
        char *end;
        long value = strtol(name, &end, 10);
        int expected = len > 0 && len < 8 && end == name + len && name[0] >= '0' && name[0] <= '9' &&
                       (len == 1 || name[0] != '0') && value < count && !seen[value];
        if (expected)
            seen[value] = 1;
        else {
            if (extra == 0)
                fprintf(stderr, "xswrite: %s lists '%.40s', not expected\n", path, name);
            extra++;
        }
        at += (uint32_t)len + 1;
    }
    return extra;
}

/* The check mode: see the header. */
static int check_only(long threads) {
    int fd = open(XENBUS_DEVICE, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "xswrite: %s: %s\n", XENBUS_DEVICE, strerror(errno));
        return 2;
    }
    long keys = writes_per_thread < KEYS_PER_THREAD ? writes_per_thread : KEYS_PER_THREAD;
    long extra = extra_names(fd, "", threads);
    for (int t = 0; t < threads && extra >= 0; t++) {
        char sub[32];
        snprintf(sub, sizeof sub, "/%d", t);
        long more = extra_names(fd, sub, keys);
        extra = more < 0 ? -1 : extra + more;
    }
    if (extra < 0)
        return 2;
    long checked;
    long mismatches = check_keys(fd, (int)threads, &checked);
    if (mismatches < 0)
        return 2;
    static struct reply reply;
    if (transact(fd, XS_RM, 0, prefix, strlen(prefix) + 1, &reply) < 0) {
        fprintf(stderr, "xswrite: removing %s: %s\n", prefix, strerror(errno));
        return 2;
    }
    printf("xswrite: checked keys=%ld mismatches=%ld extra=%ld\n", checked, mismatches, extra);
    fflush(stdout);
    return mismatches || extra ? 1 : 0;
}

static int parse_count(const char *text, long min, long max, long *out) {
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno || end == text || *end || value < min || value > max)
        return -1;
    *out = value;
    return 0;
}

static double ms_between(struct timespec a, struct timespec b) {
    return (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
}

static int before(struct timespec a, struct timespec b) {
    return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

static void usage(void) {
    fprintf(stderr,
            "usage: xswrite N W S [PREFIX]\n"
            "       xswrite --check N W S PREFIX\n"
            "  N threads (1-%d) each write W times (>= 1) an S-byte value (>= 0) to\n"
            "  PREFIX/<thread>/<write mod 10> (default PREFIX: data/bench)\n",
            MAX_THREADS);
}

int main(int argc, char **argv) {
    long threads;
    int checking = argc > 1 && strcmp(argv[1], "--check") == 0;
    if (checking) {
        if (argc != 6) {
            usage();
            return 2;
        }
        argv++;
        argc--;
    }
    if (argc < 4 || argc > 5 || parse_count(argv[1], 1, MAX_THREADS, &threads) < 0 ||
        parse_count(argv[2], 1, 1000000000L, &writes_per_thread) < 0 ||
        parse_count(argv[3], 0, PAYLOAD_MAX, &value_size) < 0) {
        usage();
        return 2;
    }
    if (argc == 5)
        prefix = argv[4];
    char longest[256];
    int path_len = snprintf(longest, sizeof longest, "%s/%ld/%d", prefix, threads - 1,
                            KEYS_PER_THREAD - 1);
    if (prefix[0] == '\0' || path_len >= 200) {
        fprintf(stderr, "xswrite: PREFIX must be between 1 and about 190 characters\n");
        return 2;
    }
    if (path_len + 1 + value_size > PAYLOAD_MAX) {
        fprintf(stderr, "xswrite: S is too large: path, NUL and value exceed %d bytes\n",
                PAYLOAD_MAX);
        return 2;
    }
    if (checking)
        return check_only(threads);

    /* Remove what an earlier run left under PREFIX; an error reply just means none. */
    int control = open(XENBUS_DEVICE, O_RDWR | O_CLOEXEC);
    if (control < 0) {
        fprintf(stderr, "xswrite: %s: %s\n", XENBUS_DEVICE, strerror(errno));
        return 2;
    }
    static struct reply reply;
    if (transact(control, XS_RM, 0, prefix, strlen(prefix) + 1, &reply) < 0) {
        fprintf(stderr, "xswrite: removing %s: %s\n", prefix, strerror(errno));
        return 2;
    }

    struct worker *workers = calloc((size_t)threads, sizeof *workers);
    if (!workers) {
        perror("xswrite");
        return 2;
    }
    for (int t = 0; t < threads; t++) {
        workers[t].index = t;
        workers[t].fd = open(XENBUS_DEVICE, O_RDWR | O_CLOEXEC);
        if (workers[t].fd < 0) {
            fprintf(stderr, "xswrite: %s (thread %d): %s\n", XENBUS_DEVICE, t,
                    strerror(errno));
            return 2;
        }
    }
    pthread_barrier_init(&start_barrier, NULL, (unsigned)threads);
    for (int t = 0; t < threads; t++) {
        int err = pthread_create(&workers[t].thread, NULL, run_worker, &workers[t]);
        if (err) {
            fprintf(stderr, "xswrite: starting thread %d: %s\n", t, strerror(err));
            return 2;
        }
    }

    long errors = 0;
    int failed = 0;
    struct timespec first = {0, 0}, last = {0, 0};
    for (int t = 0; t < threads; t++) {
        struct worker *w = &workers[t];
        pthread_join(w->thread, NULL);
        errors += w->errors;
        failed |= w->failed;
        close(w->fd);
        if (w->writes == 0)
            continue;
        if ((first.tv_sec == 0 && first.tv_nsec == 0) || before(w->first_sent, first))
            first = w->first_sent;
        if (before(last, w->last_received))
            last = w->last_received;
    }
    if (failed)
        return 2;
    printf("xswrite: n=%ld w=%ld s=%ld ms=%.3f errors=%ld\n", threads, writes_per_thread,
           value_size, ms_between(first, last), errors);
    fflush(stdout);

    long checked;
    long mismatches = check_keys(control, (int)threads, &checked);
    if (mismatches < 0)
        return 2;
    printf("xswrite: checked keys=%ld mismatches=%ld\n", checked, mismatches);
    fflush(stdout);
    return errors || mismatches ? 1 : 0;
}
