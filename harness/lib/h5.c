/*
 * h5.c - shared HDF5 reading helpers (see h5.h).
 */
#include "lib/h5.h"
#include "lib/util.h"

#include <stdlib.h>
#include <string.h>

char *h5_read_string_attr(hid_t attr, hid_t ftype)
{
    hid_t mtype = H5Tcopy(H5T_C_S1);
    char *s = NULL;

    if (mtype < 0)
        return NULL;
    H5Tset_cset(mtype, H5Tget_cset(ftype));
    if (H5Tis_variable_str(ftype) > 0) {
        char *v = NULL;
        H5Tset_size(mtype, H5T_VARIABLE);
        if (H5Aread(attr, mtype, &v) >= 0)
            s = xstrdup(v ? v : "");
        H5free_memory(v);
    } else {
        /* the size the type claims must be what the attribute stores (a
         * corrupt one would have us allocate whatever it says) */
        size_t len = H5Tget_size(ftype);
        if (len == 0 || len > H5_STRING_MAX || (hsize_t)len > H5Aget_storage_size(attr)) {
            H5Tclose(mtype);
            return NULL;
        }
        H5Tset_size(mtype, len + 1);
        H5Tset_strpad(mtype, H5T_STR_NULLTERM);
        s = xcalloc(len + 2, 1);
        if (H5Aread(attr, mtype, s) < 0) {
            free(s);
            s = NULL;
        }
        for (len = s ? strlen(s) : 0; len && s[len - 1] == ' '; len--)
            s[len - 1] = '\0';
    }
    H5Tclose(mtype);
    return s;
}
