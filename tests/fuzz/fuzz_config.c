/*
 * fuzz_config.c - libFuzzer target: the config parser from a string
 * (core/config.h config_parse), the whole of it: YAML, the key table, the
 * value checks and defaults. The input is the config's text (cut at its
 * first NUL byte, as a file's text would be by the parser's C strings).
 */
#include "fuzz.h"
#include "core/config.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct config cfg;
    char *text = malloc(size + 1);

    fuzz_setup();
    memcpy(text, data, size);
    text[size] = '\0';
    memset(&cfg, 0, sizeof(cfg));
    if (config_parse(&cfg, text, "fuzz.yaml", NULL) == 0)
        config_release(&cfg);
    free(text);
    return 0;
}
