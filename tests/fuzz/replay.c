/* replay.c - run a fuzz target over files, so every committed corpus input
 * is replayed by the ordinary test run (no clang needed).
 *
 * usage: replay_<target> DIR|FILE...   prints "<target>: N passed, 0 failed"
 * A crash or sanitizer report fails the run; there is nothing to compare.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    static uint8_t buf[1 << 20];
    FILE *f = fopen(path, "rb");
    size_t n;

    if (!f) {
        perror(path);
        return -1;
    }
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, n);
    return 0;
}

int main(int argc, char **argv)
{
    int i, ran = 0, bad = 0;
    const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];

    for (i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            bad++;
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            DIR *d = opendir(argv[i]);
            struct dirent *e;
            while (d && (e = readdir(d)) != NULL) {
                char p[4096];
                if (e->d_name[0] == '.')
                    continue;
                snprintf(p, sizeof p, "%s/%s", argv[i], e->d_name);
                if (run_file(p) == 0)
                    ran++;
                else
                    bad++;
            }
            if (d)
                closedir(d);
        } else if (run_file(argv[i]) == 0) {
            ran++;
        } else {
            bad++;
        }
    }
    printf("%s: %d passed, %d failed\n", name, ran, bad);
    return bad ? 1 : 0;
}
