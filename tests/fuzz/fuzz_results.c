/*
 * fuzz_results.c - libFuzzer target: the results reader (out/results.h
 * results_read, out/results_h5.c): /runs, the side tables and the root
 * attributes of a results file, then every value of what was read, as
 * summary, plot and report would look at it. In-process
 * (results_read_unprobed) unless FS_FUZZ_PROBE=1 asks for the product's
 * results_read, probe child and all (fuzz.h fuzz_probed).
 */
#include "fuzz.h"
#include "out/results.h"

static volatile double sink;

static double walk(const struct result_set *rs)
{
    struct run_column cols[RESULTS_MAX_COLUMNS];
    size_t n = results_columns(rs, cols);
    double s = 0;

    for (size_t r = 0; r < rs->n_rows; r++) {
        for (size_t c = 0; c < n; c++)
            s += results_cell_value(&rs->rows[r], &cols[c]);
        s += results_row_ok(&rs->rows[r]);
    }
    for (size_t t = 0; t < rs->n_tables; t++) {
        const struct result_table *tb = &rs->tables[t];
        for (size_t i = 0; i < tb->n_rows * tb->n_cols; i++)
            s += tb->cols[i % tb->n_cols].type == COL_I64 ? (double)tb->cells[i].i
                                                          : tb->cells[i].f;
    }
    for (size_t a = 0; a < rs->n_attrs; a++)
        s += rs->attrs[a].s ? (double)rs->attrs[a].s[0] : 0;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size);
    struct result_set rs;
    int rc;

    fuzz_hdf5_setup();
    rc = fuzz_probed() ? results_read(&rs, path) : results_read_unprobed(&rs, path);
    if (rc == 0) {
        sink = walk(&rs);
        results_release(&rs);
    }
    return 0;
}
