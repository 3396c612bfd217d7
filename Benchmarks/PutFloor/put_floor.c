// put_floor: the least work a durable S3 PutObject server can do, as a reference row for
// `scripts/bench local` (it is not part of the toolkit and is never installed).
//
// For each HTTP/1.1 PUT on a keep-alive connection it reads the body, hashes it with MD5 (the
// ETag) and SHA-256 (to check the signed x-amz-content-sha256) in one pass, writes it to a new
// file, fsyncs it, renames it over the key's file and answers 200 with the ETag. It does none of
// the rest a real server must do (no SigV4 check, no metadata store, no second flush, no
// versioning): whatever rate it reaches on a machine bounds the rate any faithful server can reach
// there with the same client.
//
// Build: cc -O2 -o put_floor put_floor.c -lcrypto -lpthread (needs OpenSSL's headers)
// Run:   put_floor DIRECTORY   (listens on an ephemeral loopback port, prints "READY <port>")
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

enum { MAX_HEADERS = 64 * 1024, MAX_BODY = 64 * 1024 * 1024, CHUNK = 64 * 1024 };

static const char *directory;
static atomic_ulong sequence;

// The value of header NAME (lower case, with the colon) in HEADERS, or NULL.
static const char *header(const char *headers, const char *name, size_t *length) {
    size_t name_length = strlen(name);
    for (const char *line = strstr(headers, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
        const char *start = line + 2;
        if (strncasecmp(start, name, name_length) != 0) continue;
        const char *value = start + name_length;
        while (*value == ' ') value++;
        const char *end = strstr(value, "\r\n");
        *length = end ? (size_t)(end - value) : strlen(value);
        return value;
    }
    return NULL;
}

static int write_all(int fd, const char *bytes, size_t count) {
    while (count > 0) {
        ssize_t written = write(fd, bytes, count);
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) return -1;
        bytes += written;
        count -= (size_t)written;
    }
    return 0;
}

static void answer(int fd, const char *status, const char *etag) {
    char response[256];
    int length = etag
        ? snprintf(response, sizeof response, "HTTP/1.1 %s\r\nETag: \"%s\"\r\nContent-Length: 0\r\n\r\n", status, etag)
        : snprintf(response, sizeof response, "HTTP/1.1 %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status);
    (void)write_all(fd, response, (size_t)length);
}

static void hex(const unsigned char *digest, unsigned length, char *out) {
    for (unsigned i = 0; i < length; i++) sprintf(out + 2 * i, "%02x", digest[i]);
}

// Stores BODY under the file named after PATH; returns 0, or -1 if it could not be stored.
static int store(const char *path, size_t path_length, const char *body, size_t length) {
    uint64_t name = 1469598103934665603ull;  // FNV-1a of the path names the key's file
    for (size_t i = 0; i < path_length; i++) name = (name ^ (unsigned char)path[i]) * 1099511628211ull;
    char temporary[4096], final[4096];
    snprintf(temporary, sizeof temporary, "%s/.tmp-%lu", directory, atomic_fetch_add(&sequence, 1));
    snprintf(final, sizeof final, "%s/%016llx", directory, (unsigned long long)name);
    int file = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (file < 0) return -1;
    int failed = write_all(file, body, length) || fsync(file);
    failed = close(file) || failed;
    if (failed || rename(temporary, final) != 0) {
        unlink(temporary);
        return -1;
    }
    return 0;
}

static void *serve(void *argument) {
    int fd = (int)(intptr_t)argument;
    size_t capacity = 2 * 1024 * 1024, have = 0;
    char *buffer = malloc(capacity + 1);
    EVP_MD_CTX *md5 = EVP_MD_CTX_new(), *sha256 = EVP_MD_CTX_new();
    while (buffer && md5 && sha256) {
        char *end;
        buffer[have] = 0;
        while (!(end = memmem(buffer, have, "\r\n\r\n", 4))) {
            if (have >= MAX_HEADERS) goto done;
            ssize_t count = read(fd, buffer + have, capacity - have);
            if (count <= 0) goto done;
            have += (size_t)count;
        }
        *end = 0;  // the header block is a C string from here on
        size_t header_length = (size_t)(end + 4 - buffer), length_size = 0, sha_size = 0;
        const char *length_value = header(buffer, "content-length:", &length_size);
        const char *sha_value = header(buffer, "x-amz-content-sha256:", &sha_size);
        unsigned long long declared = length_value ? strtoull(length_value, NULL, 10) : 0;
        if (strncmp(buffer, "PUT ", 4) != 0) { answer(fd, "405 Method Not Allowed", NULL); goto done; }
        if (declared > MAX_BODY) { answer(fd, "413 Payload Too Large", NULL); goto done; }
        const char *path = buffer + 4, *path_end = strchr(path, ' ');
        size_t path_length = path_end ? (size_t)(path_end - path) : 0;
        char path_copy[1024];
        if (path_length == 0 || path_length >= sizeof path_copy) { answer(fd, "400 Bad Request", NULL); goto done; }
        memcpy(path_copy, path, path_length);
        char expected[65] = {0};
        if (sha_value && sha_size == 64) memcpy(expected, sha_value, 64);
        size_t need = header_length + (size_t)declared;
        if (need > capacity) {
            char *grown = realloc(buffer, need + 1);
            if (!grown) goto done;
            buffer = grown;
            capacity = need;
        }
        while (have < need) {
            ssize_t count = read(fd, buffer + have, capacity - have);
            if (count <= 0) goto done;
            have += (size_t)count;
        }
        // One pass over the body, both digests per chunk while the chunk is in cache.
        const char *body = buffer + header_length;
        EVP_DigestInit_ex(md5, EVP_md5(), NULL);
        EVP_DigestInit_ex(sha256, EVP_sha256(), NULL);
        for (size_t offset = 0; offset < declared; offset += CHUNK) {
            size_t count = declared - offset < CHUNK ? declared - offset : CHUNK;
            EVP_DigestUpdate(md5, body + offset, count);
            EVP_DigestUpdate(sha256, body + offset, count);
        }
        unsigned char md5_digest[16], sha_digest[32];
        unsigned digest_length;
        char etag[33], sha_hex[65];
        EVP_DigestFinal_ex(md5, md5_digest, &digest_length);
        EVP_DigestFinal_ex(sha256, sha_digest, &digest_length);
        hex(md5_digest, 16, etag);
        hex(sha_digest, 32, sha_hex);
        if (expected[0] && strcasecmp(expected, sha_hex) != 0) { answer(fd, "400 Bad Request", NULL); goto done; }
        if (store(path_copy, path_length, body, (size_t)declared) != 0) { answer(fd, "500 Internal Server Error", NULL); goto done; }
        answer(fd, "200 OK", etag);
        memmove(buffer, buffer + need, have - need);
        have -= need;
    }
done:
    EVP_MD_CTX_free(md5);
    EVP_MD_CTX_free(sha256);
    free(buffer);
    close(fd);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: put_floor DIRECTORY\n");
        return 2;
    }
    directory = argv[1];
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t size = sizeof address;
    if (listener < 0 || bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 128) != 0 ||
        getsockname(listener, (struct sockaddr *)&address, &size) != 0) {
        perror("put_floor: listen");
        return 1;
    }
    printf("READY %d\n", ntohs(address.sin_port));
    fflush(stdout);
    for (;;) {
        int connection = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
        if (connection < 0) continue;
        pthread_t thread;
        if (pthread_create(&thread, NULL, serve, (void *)(intptr_t)connection) != 0) {
            close(connection);
            continue;
        }
        pthread_detach(thread);
    }
}
