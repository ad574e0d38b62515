/*
 * text.h - vector files in text: numeric TSV tables and GloVe word vectors
 * (the JSON word table and GloVe's own "word v1 v2 ..." lines).
 *
 * Each loader fills `v` (float32 rows; v->dtype "text" or "text (JSON)") and
 * returns 0, or -1 after one error line naming the file and the line at fault
 * (lines counted from 1); v is then released. `limit` > 0 reads at most that
 * many rows, so a file damaged past them still loads. Only regular files
 * are read (open_regular: a FIFO or /dev/zero is refused at once).
 */
#ifndef FS_TEXT_H
#define FS_TEXT_H

#include <stddef.h>
#include "io/vecs.h"

/* Limits that stop a reader on a file that is no table of vectors: a line
 * of more than TEXT_MAX_LINE bytes (64 MiB; a TSV row of 100,000 floats is
 * about 1.2 MB) in TSV or GloVe text, a JSON word table of more than
 * TEXT_MAX_JSON bytes (2 GiB; it is read whole). */
#define TEXT_MAX_LINE ((size_t)64 << 20)
#define TEXT_MAX_JSON ((size_t)2 << 30)

/* Numeric TSV / whitespace table, every line as wide as the first; blank
 * lines at the end are allowed, not inside the data. drop_last: the last
 * column is an id (free text, dropped), as in the SIFT 5k layout. */
int load_tsv(struct vecs *v, const char *path, size_t limit, int drop_last);

/* One JSON object mapping word -> array of numbers, read in file order (the
 * words are checked, then dropped). */
int load_glove_json(struct vecs *v, const char *path, size_t limit);

/* GloVe text, "word v1 v2 ..." per line (word: any non-blank characters); a
 * word2vec / fastText "count dim" first line is skipped (and dim checked). */
int load_glove_txt(struct vecs *v, const char *path, size_t limit);

#endif
