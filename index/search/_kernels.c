/* Compiled inner loops of the MaxScore evaluation: index/search/kernels.py says why they are
 * hand-written C, and index/search/maxscore.py how they are used.
 *
 * Each kernel does, row by row, what the numpy code it replaced did array by array, with the
 * same float64 operations in the same order: a product rounded, then a sum rounded. Built with
 * -O2 -fno-fast-math -ffp-contract=off (setup.py), nothing is fused into an FMA or
 * reassociated, so every score has the same bits as the numpy evaluation's and rank_bm25's.
 *
 * The kernels take numpy arrays (aligned, C-contiguous, native byte order; outputs writable)
 * and check their types and sizes before anything else. Every index they read or write is
 * checked: a row outside the segment (postings damaged after the load's checks) makes a merge
 * return -1 or False before it touches anything at that row, as the numba kernels did, and
 * the caller raises IndexError. The loops run without the GIL and allocate nothing.
 *
 * A run's rows are an int32 array or a packed run of a format-5 segment (``_packed_rows.h``):
 * the kernels read both through one cursor, a block of 128 rows at a time, decoding packed
 * blocks into a buffer on the stack; a damaged block (an offset, width or row out of range)
 * stops them the way a row out of range does.
 *
 * ``chunk_spans`` (at the end) is of another kind: the answer stage's word spans, over Python
 * objects, holding the GIL; it checks each token span against its chunk. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>

#include <stdint.h>

#define ALWAYS_INLINE static inline __attribute__((always_inline))

#include "_packed_rows.h"
#include "_term_table.h"

typedef enum { K_BOOL, K_U8, K_U16, K_U32, K_I32, K_I64, K_F64, K_OTHER } Kind;

#define BIT(kind) (1u << (kind))
#define LENGTH_KINDS (BIT(K_U8) | BIT(K_U16) | BIT(K_U32))
#define TF_KINDS (BIT(K_U8) | BIT(K_U16) | BIT(K_U32) | BIT(K_I32) | BIT(K_I64))
#define FLAG_KINDS (BIT(K_BOOL) | BIT(K_U8))

/* One array argument, checked. */
typedef struct {
    void *data;
    Py_ssize_t size;
    Kind kind;
} Arr;

static Kind kind_of(PyArrayObject *a) {
    if (!PyArray_ISNOTSWAPPED(a)) return K_OTHER;
    npy_intp size = PyArray_ITEMSIZE(a);
    switch (PyArray_DESCR(a)->kind) {
        case 'b':
            return size == 1 ? K_BOOL : K_OTHER;
        case 'u':
            return size == 1 ? K_U8 : size == 2 ? K_U16 : size == 4 ? K_U32 : K_OTHER;
        case 'i':
            return size == 4 ? K_I32 : size == 8 ? K_I64 : K_OTHER;
        case 'f':
            return size == 8 ? K_F64 : K_OTHER;
        default:
            return K_OTHER;
    }
}

/* ``obj`` as an array of one of the ``kinds``, ``ndim``-dimensional, aligned, C-contiguous
 * and (``writable``) writable; 0, or -1 with an exception set. */
static int get_array(PyObject *obj, const char *name, unsigned kinds, int ndim, int writable,
                     Arr *out) {
    if (!PyArray_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s: expected a numpy array, got %.100s", name,
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    PyArrayObject *a = (PyArrayObject *)obj;
    Kind kind = kind_of(a);
    if (!(kinds & BIT(kind))) {
        PyErr_Format(PyExc_TypeError, "%s: unsupported dtype", name);
        return -1;
    }
    if (PyArray_NDIM(a) != ndim || !PyArray_IS_C_CONTIGUOUS(a) || !PyArray_ISALIGNED(a)) {
        PyErr_Format(PyExc_ValueError, "%s: expected an aligned C-contiguous %d-d array", name,
                     ndim);
        return -1;
    }
    if (writable && !PyArray_ISWRITEABLE(a)) {
        PyErr_Format(PyExc_ValueError, "%s: the array is read-only", name);
        return -1;
    }
    out->data = PyArray_DATA(a);
    out->size = PyArray_SIZE(a);
    out->kind = kind;
    return 0;
}

static int get_index(PyObject *obj, const char *name, Py_ssize_t *out) {
    (void)name; /* named at the call, for the reader */
    Py_ssize_t value = PyNumber_AsSsize_t(obj, PyExc_OverflowError);
    if (value == -1 && PyErr_Occurred()) return -1;
    *out = value;
    return 0;
}

static int get_double(PyObject *obj, const char *name, double *out) {
    (void)name;
    double value = PyFloat_AsDouble(obj);
    if (value == -1.0 && PyErr_Occurred()) return -1;
    *out = value;
    return 0;
}

static int check_nargs(const char *name, Py_ssize_t nargs, Py_ssize_t expected) {
    if (nargs != expected) {
        PyErr_Format(PyExc_TypeError, "%s() takes %zd positional arguments (%zd given)", name,
                     expected, nargs);
        return -1;
    }
    return 0;
}

static PyObject *value_error(const char *message) {
    PyErr_SetString(PyExc_ValueError, message);
    return NULL;
}

/* A segment's packed rows (``packed.PackedRows``): the data and the skip entries, and the
 * bytes of an inline run's first row (format 7; 0 in formats 5 and 6, which have none). */
typedef struct {
    const uint8_t *data;
    int64_t data_size;
    const uint32_t *skips;
    int64_t n_blocks;
    int first_bytes;
} Packed;

/* ``first_bytes_obj`` may be NULL (formats 5 and 6). */
static int get_packed(PyObject *data_obj, PyObject *skips_obj, PyObject *first_bytes_obj,
                      Packed *out) {
    Arr data, skips;
    Py_ssize_t first_bytes = 0;
    if (get_array(data_obj, "data", BIT(K_U8), 1, 0, &data) < 0 ||
        get_array(skips_obj, "skips", BIT(K_U32), 2, 0, &skips) < 0 ||
        (first_bytes_obj != NULL && get_index(first_bytes_obj, "first_bytes", &first_bytes) < 0))
        return -1;
    if (PyArray_DIM((PyArrayObject *)skips_obj, 1) != 2) {
        PyErr_SetString(PyExc_ValueError, "skips must be (blocks, 2)");
        return -1;
    }
    if (first_bytes != 0 && first_bytes != 3 && first_bytes != 4) {
        PyErr_SetString(PyExc_ValueError, "first_bytes must be 0, 3 or 4");
        return -1;
    }
    out->data = data.data;
    out->data_size = data.size;
    out->skips = skips.data;
    out->n_blocks = skips.size / 2;
    out->first_bytes = (int)first_bytes;
    return 0;
}

/* Run ``lo:hi`` of a segment's postings: of ``plain`` (int32 rows) or, packed, the run whose
 * blocks start at ``block`` (format 7: a run of one block is inline, and ``block`` is then its
 * data offset); 0, or -1 with IndexError for a run outside them or damaged. */
static int run_of(const int32_t *plain, Py_ssize_t n_plain, const Packed *packed, int64_t lo,
                  int64_t hi, int64_t block, Rows *out) {
    out->plain = NULL;
    out->size = hi > lo ? hi - lo : 0;
    if (packed == NULL) {
        if (out->size && (lo < 0 || hi > n_plain)) return -1;
        out->plain = plain + (out->size ? lo : 0);
        return 0;
    }
    out->data = packed->data;
    out->data_size = packed->data_size;
    out->skips = packed->skips;
    if (out->size && packed->first_bytes && out->size <= PACK_BLOCK) {
        RunPlace place = {0, block};
        return pack_walk_run(packed->data, packed->data_size, packed->skips, packed->n_blocks,
                             packed->first_bytes, out->size, &place, out);
    }
    if (out->size) {
        if (block < 0 || block > packed->n_blocks ||
            pack_blocks_of(out->size) > packed->n_blocks - block)
            return -1;
        out->skips = packed->skips + 2 * block;
    }
    return 0;
}

/* ``obj`` as one run's rows: an int32 array, or a packed run ``(data, skips, block, size)``
 * (``packed.PackedRows.run``; format 7 adds ``first_bytes``); 0, or -1 with an exception
 * set. */
static int get_rows(PyObject *obj, const char *name, Rows *out) {
    if (PyTuple_Check(obj)) {
        Packed packed;
        Py_ssize_t block, size, n = PyTuple_GET_SIZE(obj);
        if (n != 4 && n != 5) {
            PyErr_Format(PyExc_TypeError,
                         "%s: a packed run is (data, skips, block, size[, first_bytes])", name);
            return -1;
        }
        if (get_packed(PyTuple_GET_ITEM(obj, 0), PyTuple_GET_ITEM(obj, 1),
                       n == 5 ? PyTuple_GET_ITEM(obj, 4) : NULL, &packed) < 0 ||
            get_index(PyTuple_GET_ITEM(obj, 2), "block", &block) < 0 ||
            get_index(PyTuple_GET_ITEM(obj, 3), "size", &size) < 0)
            return -1;
        if (size < 0 || run_of(NULL, 0, &packed, 0, size, block, out) < 0) {
            PyErr_Format(PyExc_IndexError, "%s: a run outside the packed rows", name);
            return -1;
        }
        return 0;
    }
    Arr rows;
    if (get_array(obj, name, BIT(K_I32), 1, 0, &rows) < 0) return -1;
    return run_of(rows.data, rows.size, NULL, 0, rows.size, 0, out);
}

/* A segment's postings rows as the kernels over many runs take them: an int32 array, or a
 * packed pair ``(data, skips)`` (format 7: ``(data, skips, first_bytes)``); ``packed`` is
 * then set, else ``plain``. */
static int get_postings(PyObject *obj, Arr *plain, Packed *packed, int *is_packed) {
    if (PyTuple_Check(obj)) {
        Py_ssize_t n = PyTuple_GET_SIZE(obj);
        if (n != 2 && n != 3) {
            PyErr_SetString(PyExc_TypeError,
                            "doc_rows: packed rows are (data, skips[, first_bytes])");
            return -1;
        }
        *is_packed = 1;
        return get_packed(PyTuple_GET_ITEM(obj, 0), PyTuple_GET_ITEM(obj, 1),
                          n == 3 ? PyTuple_GET_ITEM(obj, 2) : NULL, packed);
    }
    *is_packed = 0;
    return get_array(obj, "doc_rows", BIT(K_I32), 1, 0, plain);
}

/* Element ``i`` of an unsigned length array; ``kind`` is a constant in each caller once
 * inlined, so the switch is resolved at compile time. */
ALWAYS_INLINE uint32_t length_at(const void *lengths, Kind kind, Py_ssize_t i) {
    switch (kind) {
        case K_U8:
            return ((const uint8_t *)lengths)[i];
        case K_U16:
            return ((const uint16_t *)lengths)[i];
        default:
            return ((const uint32_t *)lengths)[i];
    }
}

/* A term's count of tf >= 2 postings: a uint8/16/32 array, or format 7's one byte a term
 * with an escape, ``(narrow, wide)``: 255 in ``narrow`` says the count is 255 or more and is
 * found in ``wide`` (int64 (k, 2), term id and count, sorted by term id, checked at load by
 * ``segments.read_segment``). */
typedef struct {
    Arr narrow;
    const int64_t *wide; /* NULL when there is no escape */
    Py_ssize_t n_wide;
} Counts;

#define COUNT_ESCAPE 255

static int get_counts(PyObject *obj, const char *name, Counts *out) {
    out->wide = NULL;
    out->n_wide = 0;
    if (!PyTuple_Check(obj)) return get_array(obj, name, LENGTH_KINDS, 1, 0, &out->narrow);
    Arr wide;
    if (PyTuple_GET_SIZE(obj) != 2) {
        PyErr_Format(PyExc_TypeError, "%s: counts with an escape are (narrow, wide)", name);
        return -1;
    }
    if (get_array(PyTuple_GET_ITEM(obj, 0), name, BIT(K_U8), 1, 0, &out->narrow) < 0 ||
        get_array(PyTuple_GET_ITEM(obj, 1), name, BIT(K_I64), 2, 0, &wide) < 0)
        return -1;
    if (wide.size % 2) {
        PyErr_Format(PyExc_ValueError, "%s: the escaped counts are not (term, count) pairs", name);
        return -1;
    }
    out->wide = wide.data;
    out->n_wide = wide.size / 2;
    return 0;
}

/* The count of term ``u``: one load, and a bisection of the few escaped terms (at 1M, the
 * terms with 255 or more tf >= 2 postings) when the byte is the escape. */
ALWAYS_INLINE int64_t count_at(const Counts *c, Py_ssize_t u) {
    uint32_t v = length_at(c->narrow.data, c->narrow.kind, u);
    if (v != COUNT_ESCAPE || c->wide == NULL || c->narrow.kind != K_U8) return v;
    Py_ssize_t lo = 0, hi = c->n_wide;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (c->wide[2 * mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->n_wide && c->wide[2 * lo] == u ? c->wide[2 * lo + 1] : v;
}

static double tf_at(const void *tfs, Kind kind, Py_ssize_t i) {
    switch (kind) {
        case K_U8:
            return (double)((const uint8_t *)tfs)[i];
        case K_U16:
            return (double)((const uint16_t *)tfs)[i];
        case K_U32:
            return (double)((const uint32_t *)tfs)[i];
        case K_I32:
            return (double)((const int32_t *)tfs)[i];
        default:
            return (double)((const int64_t *)tfs)[i];
    }
}

/* The candidate buffers shared by the merges (``maxscore.Scratch``). ``n_rows`` bounds the
 * rows they may index: at most ``marks``'s size and ``bits``'s size times 8. ``capacity`` is
 * the smallest of ``cand``, ``scores`` and ``units``'s sizes. A mark holds the low 16 bits
 * of a slot (``MARK_SPAN``): 2 bytes a row instead of 4. */
#define MARK_SPAN 65536
typedef struct {
    uint16_t *marks;
    uint8_t *bits;
    int32_t *cand;
    double *scores;
    double *units;
    Py_ssize_t n_rows;
    Py_ssize_t capacity;
} Buffers;

static int get_buffers(PyObject *const *args, Buffers *b) {
    Arr marks, bits, cand, scores, units;
    if (get_array(args[0], "marks", BIT(K_U16), 1, 1, &marks) < 0 ||
        get_array(args[1], "bits", BIT(K_U8), 1, 1, &bits) < 0 ||
        get_array(args[2], "cand", BIT(K_I32), 1, 1, &cand) < 0 ||
        get_array(args[3], "scores", BIT(K_F64), 1, 1, &scores) < 0 ||
        get_array(args[4], "units", BIT(K_F64), 1, 1, &units) < 0)
        return -1;
    b->marks = marks.data;
    b->bits = bits.data;
    b->cand = cand.data;
    b->scores = scores.data;
    b->units = units.data;
    b->n_rows = marks.size < bits.size * 8 ? marks.size : bits.size * 8;
    b->capacity = cand.size;
    if (scores.size < b->capacity) b->capacity = scores.size;
    if (units.size < b->capacity) b->capacity = units.size;
    return 0;
}

ALWAYS_INLINE int bit_set(const uint8_t *bits, int32_t row) {
    return (bits[row >> 3] >> (row & 7)) & 1;
}

/* The slot of candidate ``row`` among the first ``n``, or -1 (``marks`` is a sparse set: a
 * mark counts only when a slot it names holds the row). A mark names the slots equal to it
 * modulo ``MARK_SPAN``: one probe while there are at most 65,536 candidates (nearly every
 * question at 1M rows), one more per 65,536 beyond. */
ALWAYS_INLINE Py_ssize_t slot_of(const Buffers *b, int32_t row, Py_ssize_t n) {
    if (bit_set(b->bits, row)) {
        for (Py_ssize_t s = b->marks[row]; s < n; s += MARK_SPAN)
            if (b->cand[s] == row) return s;
    }
    return -1;
}

/* Mark slots ``start:end`` of ``cand`` (rows checked against the buffers); -1 for a row out
 * of range. */
static int mark_rows(const Buffers *b, const int32_t *cand, Py_ssize_t start, Py_ssize_t end) {
    for (Py_ssize_t s = start; s < end; s++) {
        int32_t row = cand[s];
        if (row < 0 || row >= b->n_rows) return -1;
        b->marks[row] = (uint16_t)s;
        b->bits[row >> 3] |= (uint8_t)(1u << (row & 7));
    }
    return 0;
}

/* -- mark, unmark ------------------------------------------------------------------------ */

PyDoc_STRVAR(mark_doc,
             "mark(marks, bits, cand, start, end) -> None\n\n"
             "Point ``marks`` (uint16: a slot's low 16 bits) at slots ``start:end`` of the candidates\n``cand`` and set their "
             "rows' bits\n(``maxscore.Scratch``); IndexError for a row out of range.");

static PyObject *py_mark(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Arr marks, bits, cand;
    Py_ssize_t start, end;
    if (check_nargs("mark", nargs, 5) < 0 ||
        get_array(args[0], "marks", BIT(K_U16), 1, 1, &marks) < 0 ||
        get_array(args[1], "bits", BIT(K_U8), 1, 1, &bits) < 0 ||
        get_array(args[2], "cand", BIT(K_I32), 1, 0, &cand) < 0 ||
        get_index(args[3], "start", &start) < 0 || get_index(args[4], "end", &end) < 0)
        return NULL;
    if (start < end && (start < 0 || end > cand.size))
        return value_error("start:end is not within cand");
    Buffers b = {marks.data, bits.data, NULL, NULL, NULL,
                 marks.size < bits.size * 8 ? marks.size : bits.size * 8, 0};
    int status;
    Py_BEGIN_ALLOW_THREADS
    status = mark_rows(&b, cand.data, start, end);
    Py_END_ALLOW_THREADS
    if (status < 0) {
        PyErr_SetString(PyExc_IndexError, "a row out of the segment's range");
        return NULL;
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(unmark_doc,
             "unmark(bits, cand, end) -> None\n\n"
             "Clear the bits of candidates ``:end`` (their marks may stay: a mark is checked); "
             "IndexError\nfor a row out of range.");

static PyObject *py_unmark(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Arr bits, cand;
    Py_ssize_t end;
    if (check_nargs("unmark", nargs, 3) < 0 ||
        get_array(args[0], "bits", BIT(K_U8), 1, 1, &bits) < 0 ||
        get_array(args[1], "cand", BIT(K_I32), 1, 0, &cand) < 0 ||
        get_index(args[2], "end", &end) < 0)
        return NULL;
    if (end > cand.size) return value_error("end is past cand");
    uint8_t *bit = bits.data;
    const int32_t *rows = cand.data;
    Py_ssize_t limit = bits.size * 8;
    int status = 0;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t s = 0; s < end; s++) {
        int32_t row = rows[s];
        if (row < 0 || row >= limit) {
            status = -1;
            break;
        }
        bit[row >> 3] &= (uint8_t)~(1u << (row & 7));
    }
    Py_END_ALLOW_THREADS
    if (status < 0) {
        PyErr_SetString(PyExc_IndexError, "a row out of the segment's range");
        return NULL;
    }
    Py_RETURN_NONE;
}

/* Random reads ahead of the walk. A run's rows are spread over the whole segment, so each
 * row's bit, length (and mark) is a read at a random place: at 10M rows ``lengths`` (10 MB)
 * and ``marks`` (20 MB) are far past the L2 cache, and the walks waited on one miss a row.
 * The kernels that walk a decoded block ask for the reads of the row ``PREFETCH_AHEAD``
 * positions on (a hint: nothing is read, nothing can fault, no result changes). */
#define PREFETCH_AHEAD 16

ALWAYS_INLINE void prefetch_row(const void *lengths, Kind kind, const uint8_t *bits,
                                const uint16_t *marks, Py_ssize_t n_rows, int32_t row) {
    if (row < 0 || row >= n_rows) return;
    __builtin_prefetch(bits + (row >> 3));
    if (marks != NULL) __builtin_prefetch(marks + row);
    if (lengths != NULL)
        __builtin_prefetch((const uint8_t *)lengths +
                           (size_t)row * (kind == K_U8 ? 1 : kind == K_U16 ? 2 : 4));
}

/* The first PREFETCH_AHEAD rows of a block just loaded. */
ALWAYS_INLINE void prefetch_block_start(const Cursor *c, const void *lengths, Kind kind,
                                        const uint8_t *bits, const uint16_t *marks,
                                        Py_ssize_t n_rows) {
    int64_t stop = c->count < PREFETCH_AHEAD ? c->count : PREFETCH_AHEAD;
    for (int64_t k = 0; k < stop; k++)
        prefetch_row(lengths, kind, bits, marks, n_rows, c->rows[k]);
}

/* -- merge_unit ---------------------------------------------------------------------------- */

typedef struct {
    Rows rows;
    Py_ssize_t size;
    const void *lengths;
    Py_ssize_t n_rows; /* the segment's rows: ``lengths``'s size */
    const uint8_t *length_ok;
    const double *unit_parts;
    Py_ssize_t n_lengths; /* the smallest of the per-length tables' sizes */
    double weight;
} UnitRun;

ALWAYS_INLINE Py_ssize_t merge_unit_impl(Kind kind, const UnitRun *run, const Buffers *b,
                                         Py_ssize_t n, int search, const uint8_t *block_min,
                                         Py_ssize_t n_blocks, Py_ssize_t block_size,
                                         Py_ssize_t block_start) {
    const Rows *rows = &run->rows;
    const Py_ssize_t size = run->size, n_rows = run->n_rows, n_lengths = run->n_lengths;
    Cursor c;
    cursor_init(&c);
    const uint8_t *length_ok = run->length_ok;
    const double *unit_parts = run->unit_parts;
    const double weight = run->weight;
    int32_t *cand = b->cand;
    double *scores = b->scores, *units = b->units;
    const Py_ssize_t capacity = b->capacity;
    Py_ssize_t end = n;
    if (!search) {
        for (int64_t block = 0, blocks = pack_blocks_of(size); block < blocks; block++) {
          if (cursor_load(rows, &c, block) < 0) return -1;
          prefetch_block_start(&c, run->lengths, kind, b->bits, NULL, n_rows);
          for (int64_t k = 0; k < c.count; k++) {
            int32_t row = c.rows[k];
            if (k + PREFETCH_AHEAD < c.count)
                prefetch_row(run->lengths, kind, b->bits, NULL, n_rows,
                             c.rows[k + PREFETCH_AHEAD]);
            if (row < 0 || row >= n_rows || end >= capacity) return -1;
            /* the row's bit first: a segment's bits stay in cache (125 KB at 1M rows) where
             * its marks do not (2 MB), and most rows are no candidate */
            Py_ssize_t s = slot_of(b, row, n);
            int hit = s >= 0;
            if (hit) scores[s] += units[s] * weight;
            uint32_t length = length_at(run->lengths, kind, row);
            if (length >= n_lengths) return -1;
            /* written at the next free slot whatever the verdict, which only decides whether
             * the slot is taken (no branch to mispredict on a third of the rows) */
            double unit = unit_parts[length];
            cand[end] = row;
            scores[end] = unit * weight;
            units[end] = unit;
            end += (!hit) & (length_ok[length] != 0);
          }
        }
        return mark_rows(b, cand, n, end) < 0 ? -1 : end - n;
    }
    if (rows->plain == NULL) {
        /* A packed run: known candidates are found by their bits in one pass over the run,
         * since a binary search would decode a block per candidate (~150 ns) where the pass
         * decodes each block once (~1.2 ns a row). Each known candidate still gets its one
         * addition, and new rows come in run order from the blocks that pass: the same
         * candidates, scores and order as the searches below. */
        for (int64_t block = 0, blocks = pack_blocks_of(size); block < blocks; block++) {
            if (cursor_load(rows, &c, block) < 0) return -1;
            prefetch_block_start(&c, run->lengths, kind, b->bits, NULL, n_rows);
            for (int64_t k = 0; k < c.count; k++) {
                int32_t row = c.rows[k];
                if (k + PREFETCH_AHEAD < c.count)
                    prefetch_row(run->lengths, kind, b->bits, NULL, n_rows,
                             c.rows[k + PREFETCH_AHEAD]);
                if (row < 0 || row >= n_rows || end >= capacity) return -1;
                Py_ssize_t s = slot_of(b, row, n);
                if (s >= 0) {
                    scores[s] += units[s] * weight;
                    continue;
                }
                if (block_size > 0) {
                    Py_ssize_t i = ((block << PACK_SHIFT) + k - block_start) / block_size;
                    if (i < 0 || i >= n_blocks || block_min[i] >= n_lengths) return -1;
                    if (!length_ok[block_min[i]]) continue;
                }
                uint32_t length = length_at(run->lengths, kind, row);
                if (length >= n_lengths) return -1;
                if (length_ok[length]) {
                    double unit = unit_parts[length];
                    cand[end] = row;
                    scores[end] = unit * weight;
                    units[end] = unit;
                    end += 1;
                }
            }
        }
        return mark_rows(b, cand, n, end) < 0 ? -1 : end - n;
    }
    if (size > 0) {
        for (Py_ssize_t s = 0; s < n; s++) {
            int32_t row = cand[s], found;
            /* the first position whose row is >= row */
            int64_t at = rows_lower_bound(rows, &c, row, 0);
            if (at < 0 || (at < size && cursor_row(rows, &c, at, &found) < 0)) return -1;
            if (at < size && found == row) scores[s] += units[s] * weight;
        }
    }
    Py_ssize_t blocks = block_size > 0 ? n_blocks : 1;
    for (Py_ssize_t i = 0; i < blocks; i++) {
        Py_ssize_t first = 0, stop = size;
        if (block_size > 0) {
            if (block_min[i] >= n_lengths) return -1;
            if (!length_ok[block_min[i]]) continue;
            first = block_start + i * block_size;
            if (first < 0) first = 0;
            stop = block_start + (i + 1) * block_size;
            if (stop > size) stop = size;
        }
        for (Py_ssize_t p = first; p < stop; p++) {
            int32_t row;
            if (cursor_row(rows, &c, p, &row) < 0) return -1;
            if (row < 0 || row >= n_rows || end >= capacity) return -1;
            uint32_t length = length_at(run->lengths, kind, row);
            if (length >= n_lengths) return -1;
            if (length_ok[length]) {
                int hit = slot_of(b, row, n) >= 0;
                double unit = unit_parts[length];
                cand[end] = row;
                scores[end] = unit * weight;
                units[end] = unit;
                end += !hit;
            }
        }
    }
    return mark_rows(b, cand, n, end) < 0 ? -1 : end - n;
}

static Py_ssize_t merge_unit_u8(const UnitRun *r, const Buffers *b, Py_ssize_t n, int search,
                                const uint8_t *bm, Py_ssize_t nb, Py_ssize_t bs,
                                Py_ssize_t b0) {
    return merge_unit_impl(K_U8, r, b, n, search, bm, nb, bs, b0);
}

static Py_ssize_t merge_unit_u16(const UnitRun *r, const Buffers *b, Py_ssize_t n, int search,
                                 const uint8_t *bm, Py_ssize_t nb, Py_ssize_t bs,
                                 Py_ssize_t b0) {
    return merge_unit_impl(K_U16, r, b, n, search, bm, nb, bs, b0);
}

static Py_ssize_t merge_unit_u32(const UnitRun *r, const Buffers *b, Py_ssize_t n, int search,
                                 const uint8_t *bm, Py_ssize_t nb, Py_ssize_t bs,
                                 Py_ssize_t b0) {
    return merge_unit_impl(K_U32, r, b, n, search, bm, nb, bs, b0);
}

/* Checks the arguments the tf = 1 merges share; 0, or -1 with an exception set. */
static int get_unit_run(PyObject *rows_obj, PyObject *lengths_obj, PyObject *ok_obj,
                        PyObject *parts_obj, PyObject *weight_obj, UnitRun *run, Kind *kind) {
    Arr lengths, ok, parts;
    if (get_rows(rows_obj, "rows", &run->rows) < 0 ||
        get_array(lengths_obj, "lengths", LENGTH_KINDS, 1, 0, &lengths) < 0 ||
        (ok_obj != NULL && get_array(ok_obj, "length_ok", FLAG_KINDS, 1, 0, &ok) < 0) ||
        get_array(parts_obj, "unit_parts", BIT(K_F64), 1, 0, &parts) < 0 ||
        get_double(weight_obj, "weight", &run->weight) < 0)
        return -1;
    run->size = run->rows.size;
    run->lengths = lengths.data;
    run->n_rows = lengths.size;
    run->unit_parts = parts.data;
    run->n_lengths = parts.size;
    run->length_ok = NULL;
    if (ok_obj != NULL) {
        run->length_ok = ok.data;
        if (ok.size < run->n_lengths) run->n_lengths = ok.size;
    }
    *kind = lengths.kind;
    return 0;
}

static int check_candidates(const Buffers *b, Py_ssize_t n_rows, Py_ssize_t n) {
    if (b->n_rows < n_rows) {
        PyErr_SetString(PyExc_ValueError, "marks or bits are shorter than the segment");
        return -1;
    }
    if (n < 0 || n > b->capacity) {
        PyErr_SetString(PyExc_ValueError, "n is not within the candidate buffers");
        return -1;
    }
    return 0;
}

static PyObject *merge_result(Py_ssize_t added) {
    return PyLong_FromSsize_t(added);
}

PyDoc_STRVAR(
    merge_unit_doc,
    "merge_unit(rows, lengths, length_ok, unit_parts, weight, marks, bits, cand, scores, "
    "units, n,\n           search, block_min, block_size, block_start) -> int\n\n"
    "Merge a tf = 1 run ``rows`` (sorted) into the ``n`` candidates once theta is known; "
    "return how\nmany new candidates it appended (slots ``n:``, in run order), or -1 for a "
    "row out of range.\n\n"
    "A known candidate in the run gets ``units[s] * weight`` added to its score. A row that "
    "is no\ncandidate becomes one when ``length_ok[lengths[row]]``, with the score "
    "``unit_parts[length] *\nweight`` and the unit part ``unit_parts[length]``. ``marks`` "
    "must point at every known\ncandidate's slot (``mark``), and the new ones are marked "
    "too. The buffers need one slot past\nthe last candidate there can be "
    "(``Scratch.reserve``).\n\n"
    "With ``search``, known candidates are found by binary search (few candidates in a long "
    "run)\nand only rows of a passing length are checked against ``marks``; with block "
    "bounds\n(``block_size`` > 0: ``block_min[i]`` bounds the block starting at run "
    "position\n``block_start + i * block_size``), only the blocks whose shortest length "
    "passes are read for\nnew rows, since no row of the others passes. Without ``search`` "
    "each row is checked against\n``marks`` once, and the blocks are not used.");

static PyObject *py_merge_unit(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    UnitRun run;
    Kind kind;
    Buffers b;
    Arr block_min;
    Py_ssize_t n, block_size, block_start;
    if (check_nargs("merge_unit", nargs, 15) < 0 ||
        get_unit_run(args[0], args[1], args[2], args[3], args[4], &run, &kind) < 0 ||
        get_buffers(args + 5, &b) < 0 || get_index(args[10], "n", &n) < 0)
        return NULL;
    int search = PyObject_IsTrue(args[11]);
    if (search < 0 || get_array(args[12], "block_min", BIT(K_U8), 1, 0, &block_min) < 0 ||
        get_index(args[13], "block_size", &block_size) < 0 ||
        get_index(args[14], "block_start", &block_start) < 0 ||
        check_candidates(&b, run.n_rows, n) < 0)
        return NULL;
    Py_ssize_t added;
    Py_BEGIN_ALLOW_THREADS
    switch (kind) {
        case K_U8:
            added = merge_unit_u8(&run, &b, n, search, block_min.data, block_min.size,
                                  block_size, block_start);
            break;
        case K_U16:
            added = merge_unit_u16(&run, &b, n, search, block_min.data, block_min.size,
                                   block_size, block_start);
            break;
        default:
            added = merge_unit_u32(&run, &b, n, search, block_min.data, block_min.size,
                                   block_size, block_start);
            break;
    }
    Py_END_ALLOW_THREADS
    return merge_result(added);
}

/* -- merge_unit_all ------------------------------------------------------------------------ */

ALWAYS_INLINE Py_ssize_t merge_unit_all_impl(Kind kind, const UnitRun *run, const Buffers *b,
                                             Py_ssize_t n) {
    const double weight = run->weight;
    int32_t *cand = b->cand;
    double *scores = b->scores, *units = b->units;
    Py_ssize_t end = n;
    Cursor c;
    cursor_init(&c);
    for (int64_t block = 0, blocks = pack_blocks_of(run->size); block < blocks; block++) {
      if (cursor_load(&run->rows, &c, block) < 0) return -1;
      prefetch_block_start(&c, run->lengths, kind, b->bits, NULL, run->n_rows);
      for (int64_t k = 0; k < c.count; k++) {
        int32_t row = c.rows[k];
        if (k + PREFETCH_AHEAD < c.count)
            prefetch_row(run->lengths, kind, b->bits, NULL, run->n_rows,
                         c.rows[k + PREFETCH_AHEAD]);
        if (row < 0 || row >= run->n_rows || end >= b->capacity) return -1;
        uint32_t length = length_at(run->lengths, kind, row);
        if (length >= run->n_lengths) return -1;
        double unit = run->unit_parts[length];
        Py_ssize_t s = slot_of(b, row, n);
        int hit = s >= 0;
        if (hit) scores[s] += unit * weight;
        cand[end] = row;
        scores[end] = unit * weight;
        units[end] = unit;
        end += !hit;
      }
    }
    return mark_rows(b, cand, n, end) < 0 ? -1 : end - n;
}

static Py_ssize_t merge_unit_all_u8(const UnitRun *r, const Buffers *b, Py_ssize_t n) {
    return merge_unit_all_impl(K_U8, r, b, n);
}

static Py_ssize_t merge_unit_all_u16(const UnitRun *r, const Buffers *b, Py_ssize_t n) {
    return merge_unit_all_impl(K_U16, r, b, n);
}

static Py_ssize_t merge_unit_all_u32(const UnitRun *r, const Buffers *b, Py_ssize_t n) {
    return merge_unit_all_impl(K_U32, r, b, n);
}

PyDoc_STRVAR(merge_unit_all_doc,
             "merge_unit_all(rows, lengths, unit_parts, weight, marks, bits, cand, scores, "
             "units, n) -> int\n\n"
             "Merge a tf = 1 run ``rows`` in full (theta unknown): a known candidate gets\n"
             "``unit_parts[length] * weight`` added, every other row becomes a candidate "
             "(slots ``n:``, in\nrun order) with that score; returns how many, or -1 for a "
             "row out of range. ``marks`` and\nthe buffers as in ``merge_unit``.");

static PyObject *py_merge_unit_all(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    UnitRun run;
    Kind kind;
    Buffers b;
    Py_ssize_t n;
    if (check_nargs("merge_unit_all", nargs, 10) < 0 ||
        get_unit_run(args[0], args[1], NULL, args[2], args[3], &run, &kind) < 0 ||
        get_buffers(args + 4, &b) < 0 || get_index(args[9], "n", &n) < 0 ||
        check_candidates(&b, run.n_rows, n) < 0)
        return NULL;
    Py_ssize_t added;
    Py_BEGIN_ALLOW_THREADS
    switch (kind) {
        case K_U8:
            added = merge_unit_all_u8(&run, &b, n);
            break;
        case K_U16:
            added = merge_unit_all_u16(&run, &b, n);
            break;
        default:
            added = merge_unit_all_u32(&run, &b, n);
            break;
    }
    Py_END_ALLOW_THREADS
    return merge_result(added);
}

/* -- add_unit_marked ------------------------------------------------------------------------ */

PyDoc_STRVAR(add_unit_marked_doc,
             "add_unit_marked(rows, weight, marks, bits, cand, scores, units, n) -> bool\n\n"
             "Add ``units[s] * weight`` to the score of each of the ``n`` candidates "
             "(``marks`` pointing\nat them) that the tf = 1 run ``rows`` holds (int32 or a packed "
             "run); False for a\nrow out of range or damaged packed rows.");

static PyObject *py_add_unit_marked(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Rows rows;
    double weight;
    Buffers b;
    Py_ssize_t n;
    if (check_nargs("add_unit_marked", nargs, 8) < 0 || get_rows(args[0], "rows", &rows) < 0 ||
        get_double(args[1], "weight", &weight) < 0 || get_buffers(args + 2, &b) < 0 ||
        get_index(args[7], "n", &n) < 0 || check_candidates(&b, 0, n) < 0)
        return NULL;
    int ok = 1;
    Cursor c;
    cursor_init(&c);
    Py_BEGIN_ALLOW_THREADS
    for (int64_t block = 0, blocks = pack_blocks_of(rows.size); ok && block < blocks; block++) {
        if (cursor_load(&rows, &c, block) < 0) {
            ok = 0;
            break;
        }
        prefetch_block_start(&c, NULL, K_U8, b.bits, NULL, b.n_rows);
        for (int64_t k = 0; k < c.count; k++) {
            int32_t row = c.rows[k];
            if (k + PREFETCH_AHEAD < c.count)
                prefetch_row(NULL, K_U8, b.bits, NULL, b.n_rows, c.rows[k + PREFETCH_AHEAD]);
            if (row < 0 || row >= b.n_rows) {
                ok = 0;
                break;
            }
            Py_ssize_t s = slot_of(&b, row, n);
            if (s >= 0) b.scores[s] += b.units[s] * weight;
        }
    }
    Py_END_ALLOW_THREADS
    return PyBool_FromLong(ok);
}

/* -- add_unit_sorted ------------------------------------------------------------------------ */

PyDoc_STRVAR(add_unit_sorted_doc,
             "add_unit_sorted(run, keys, scores, units, weight) -> None\n\n"
             "Add ``units[i] * weight`` to ``scores[i]`` for each row ``keys[i]`` (ascending) "
             "that the\ntf = 1 run ``run`` holds: one forward walk of the run, galloping from "
             "the last position\nfound, instead of a binary search per key from the whole "
             "run.");

static PyObject *py_add_unit_sorted(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Arr keys_arr, scores_arr, units_arr;
    Rows run;
    double weight;
    if (check_nargs("add_unit_sorted", nargs, 5) < 0 || get_rows(args[0], "run", &run) < 0 ||
        get_array(args[1], "keys", BIT(K_I32), 1, 0, &keys_arr) < 0 ||
        get_array(args[2], "scores", BIT(K_F64), 1, 1, &scores_arr) < 0 ||
        get_array(args[3], "units", BIT(K_F64), 1, 0, &units_arr) < 0 ||
        get_double(args[4], "weight", &weight) < 0)
        return NULL;
    if (scores_arr.size < keys_arr.size || units_arr.size < keys_arr.size)
        return value_error("scores or units are shorter than keys");
    const int32_t *keys = keys_arr.data;
    double *scores = scores_arr.data;
    const double *units = units_arr.data;
    const int64_t size = run.size;
    int status = 0;
    Cursor c;
    cursor_init(&c);
    Py_BEGIN_ALLOW_THREADS
    int64_t lo = 0;
    for (Py_ssize_t i = 0; i < keys_arr.size; i++) {
        int32_t key = keys[i], row;
        /* the first position from the last one found whose row is >= key: a gallop in a
         * plain run, a search of the blocks' first rows in a packed one */
        lo = rows_lower_bound(&run, &c, key, lo);
        if (lo < 0 || (lo < size && cursor_row(&run, &c, lo, &row) < 0)) {
            status = -1;
            break;
        }
        if (lo >= size) break;
        if (row == key) scores[i] += units[i] * weight;
    }
    Py_END_ALLOW_THREADS
    if (status < 0) {
        PyErr_SetString(PyExc_IndexError, "damaged packed rows");
        return NULL;
    }
    Py_RETURN_NONE;
}

/* -- merge_first ---------------------------------------------------------------------------- */

typedef struct {
    const int32_t *doc_rows;
    Py_ssize_t n_postings;
    const Packed *packed; /* or NULL: ``doc_rows`` */
    Py_ssize_t bound_columns;
    const int64_t *bounds;
    Py_ssize_t n_runs;
    const uint8_t *unit;
    const double *weights;
    const void *tfs;
    Kind tf_kind;
    Py_ssize_t n_tfs;
    const void *lengths;
    Py_ssize_t n_rows;
    const double *norms;
    const double *unit_parts;
    Py_ssize_t n_lengths;
    double k1_plus_1;
    /* or NULL; per run (unit_weight, multi_bound, lowered): a row first seen in run r
     * becomes a candidate only if ``unit * unit_weight + part (+ multi_bound)`` reaches
     * ``lowered`` (``maxscore._Rest.reach`` of the runs after it, against theta) */
    const double *gates;
} FirstRuns;

ALWAYS_INLINE Py_ssize_t merge_first_impl(Kind kind, const FirstRuns *f, const Buffers *b,
                                          Py_ssize_t n) {
    Py_ssize_t end = n;
    Cursor c;
    for (Py_ssize_t r = 0; r < f->n_runs; r++) {
        const int64_t *bound = f->bounds + f->bound_columns * r;
        int64_t lo = bound[0], hi = bound[1], shift = bound[2];
        double weight = f->weights[r];
        int unit = f->unit[r] != 0;
        const double *gate = f->gates != NULL ? f->gates + 3 * r : NULL;
        Rows rows;
        if (run_of(f->doc_rows, f->n_postings, f->packed, lo, hi, f->packed ? bound[3] : 0,
                   &rows) < 0)
            return -1;
        if (lo < hi && !unit && (lo + shift < 0 || hi + shift > f->n_tfs)) return -1;
        cursor_init(&c);
        for (int64_t block = 0, blocks = pack_blocks_of(rows.size); block < blocks; block++) {
          if (cursor_load(&rows, &c, block) < 0) return -1;
          prefetch_block_start(&c, f->lengths, kind, b->bits, b->marks, f->n_rows);
          for (int64_t k = 0; k < c.count; k++) {
            int64_t p = lo + (block << PACK_SHIFT) + k;
            int32_t row = c.rows[k];
            if (k + PREFETCH_AHEAD < c.count)
                prefetch_row(f->lengths, kind, b->bits, b->marks, f->n_rows,
                             c.rows[k + PREFETCH_AHEAD]);
            if (row < 0 || row >= f->n_rows || end >= b->capacity) return -1;
            uint32_t length = length_at(f->lengths, kind, row);
            if (length >= f->n_lengths) return -1;
            double tf = unit ? 1.0 : tf_at(f->tfs, f->tf_kind, p + shift);
            /* term_scores's operations: tf (k1 + 1) / (norm + tf) * weight */
            double part = tf * f->k1_plus_1;
            part /= f->norms[length] + tf;
            part *= weight;
            Py_ssize_t s = slot_of(b, row, end);
            if (s >= 0) {
                b->scores[s] += part;
                continue;
            }
            if (gate != NULL) {
                /* _Rest.reach's operations, in its order; NaN fails as in numpy */
                double reach = f->unit_parts[length] * gate[0];
                reach += part;
                if (gate[1] != 0.0) reach += gate[1];
                if (!(reach >= gate[2])) continue;
            }
            b->marks[row] = (uint16_t)end;
            b->bits[row >> 3] |= (uint8_t)(1u << (row & 7));
            b->cand[end] = row;
            b->scores[end] = part;
            b->units[end] = f->unit_parts[length];
            end += 1;
          }
        }
    }
    return end - n;
}

static Py_ssize_t merge_first_u8(const FirstRuns *f, const Buffers *b, Py_ssize_t n) {
    return merge_first_impl(K_U8, f, b, n);
}

static Py_ssize_t merge_first_u16(const FirstRuns *f, const Buffers *b, Py_ssize_t n) {
    return merge_first_impl(K_U16, f, b, n);
}

static Py_ssize_t merge_first_u32(const FirstRuns *f, const Buffers *b, Py_ssize_t n) {
    return merge_first_impl(K_U32, f, b, n);
}

PyDoc_STRVAR(
    merge_first_doc,
    "merge_first(doc_rows, bounds, unit, weights, tfs, lengths, norms, unit_parts, k1_plus_1,"
    "\n            marks, bits, cand, scores, units, n) -> int\n\n"
    "Merge runs in full, in order (theta unknown): run ``r`` is ``doc_rows[bounds[r, "
    "0]:bounds[r, 1]]``\n(packed rows ``(data, skips)``: its blocks start at ``bounds[r, 3]``) "
    "with its tfs at ``tfs[bounds[r, 0] + bounds[r, 2]:]`` unless "
    "``unit[r]`` (then every tf is 1).\nEach posting's part is ``term_scores``'s, tf (k1 + 1) "
    "/ (norm + tf) * weight, in the same\noperations; a known candidate adds it to its score, "
    "a row first seen becomes a candidate\n(slots ``n:``, in order of first sight, marked) "
    "and later postings of it add to that. Returns\nhow many it appended, or -1 for a row "
    "out of range. ``marks`` and the buffers as in\n``merge_unit``.\n\n"
    "An optional 16th argument ``gates`` (float64, (runs, 3), or None) prunes once theta is "
    "known:\na row first seen in run ``r`` becomes a candidate only when ``unit_parts[length] "
    "*\ngates[r, 0] + part (+ gates[r, 1] if non-zero) >= gates[r, 2]`` (``maxscore._Rest.reach`` "
    "of the\nruns after it against the lowered theta, the same operations).");

static PyObject *py_merge_first(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Arr doc_rows = {0}, bounds, unit, weights, tfs, lengths, norms, parts;
    Packed packed;
    int is_packed;
    FirstRuns f;
    Buffers b;
    Py_ssize_t n;
    Arr gates = {0};
    if (nargs == 16 && args[15] != Py_None) {
        if (get_array(args[15], "gates", BIT(K_F64), 2, 0, &gates) < 0) return NULL;
        if (PyArray_DIM((PyArrayObject *)args[15], 1) != 3)
            return value_error("gates must be (runs, 3)");
    }
    if (nargs == 16) nargs = 15;
    if (check_nargs("merge_first", nargs, 15) < 0 ||
        get_postings(args[0], &doc_rows, &packed, &is_packed) < 0 ||
        get_array(args[1], "bounds", BIT(K_I64), 2, 0, &bounds) < 0 ||
        get_array(args[2], "unit", FLAG_KINDS, 1, 0, &unit) < 0 ||
        get_array(args[3], "weights", BIT(K_F64), 1, 0, &weights) < 0 ||
        get_array(args[4], "tfs", TF_KINDS, 1, 0, &tfs) < 0 ||
        get_array(args[5], "lengths", LENGTH_KINDS, 1, 0, &lengths) < 0 ||
        get_array(args[6], "norms", BIT(K_F64), 1, 0, &norms) < 0 ||
        get_array(args[7], "unit_parts", BIT(K_F64), 1, 0, &parts) < 0 ||
        get_double(args[8], "k1_plus_1", &f.k1_plus_1) < 0 || get_buffers(args + 9, &b) < 0 ||
        get_index(args[14], "n", &n) < 0 || check_candidates(&b, lengths.size, n) < 0)
        return NULL;
    Py_ssize_t n_runs = PyArray_DIM((PyArrayObject *)args[1], 0);
    if (PyArray_DIM((PyArrayObject *)args[1], 1) != 3 + is_packed || unit.size < n_runs ||
        weights.size < n_runs)
        return value_error(
            "bounds must be (runs, 3), (runs, 4) for packed rows, with a unit flag and a "
            "weight per run");
    f.doc_rows = doc_rows.data;
    f.n_postings = doc_rows.size;
    f.packed = is_packed ? &packed : NULL;
    f.bound_columns = 3 + is_packed;
    f.bounds = bounds.data;
    f.n_runs = n_runs;
    f.unit = unit.data;
    f.weights = weights.data;
    f.tfs = tfs.data;
    f.tf_kind = tfs.kind;
    f.n_tfs = tfs.size;
    f.lengths = lengths.data;
    f.n_rows = lengths.size;
    f.norms = norms.data;
    f.unit_parts = parts.data;
    f.n_lengths = norms.size < parts.size ? norms.size : parts.size;
    f.gates = NULL;
    if (gates.data != NULL) {
        if (PyArray_DIM((PyArrayObject *)args[15], 0) < n_runs)
            return value_error("gates must have a row per run");
        f.gates = gates.data;
    }
    Py_ssize_t added;
    Py_BEGIN_ALLOW_THREADS
    switch (lengths.kind) {
        case K_U8:
            added = merge_first_u8(&f, &b, n);
            break;
        case K_U16:
            added = merge_first_u16(&f, &b, n);
            break;
        default:
            added = merge_first_u32(&f, &b, n);
            break;
    }
    Py_END_ALLOW_THREADS
    return merge_result(added);
}

/* -- keep_reaching ---------------------------------------------------------------------------- */

PyDoc_STRVAR(keep_reaching_doc,
             "keep_reaching(rows, scores, units, unit_weight, multi_bound, lowered) -> int\n\n"
             "Keep, in place and in order, the candidates whose bound ``units * unit_weight + "
             "scores +\nmulti_bound`` (``maxscore._Rest.reach``, the same operations) reaches "
             "``lowered``; returns\nhow many.");

static PyObject *py_keep_reaching(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Arr rows_arr, scores_arr, units_arr;
    double unit_weight, multi_bound, lowered;
    if (check_nargs("keep_reaching", nargs, 6) < 0 ||
        get_array(args[0], "rows", BIT(K_I32), 1, 1, &rows_arr) < 0 ||
        get_array(args[1], "scores", BIT(K_F64), 1, 1, &scores_arr) < 0 ||
        get_array(args[2], "units", BIT(K_F64), 1, 1, &units_arr) < 0 ||
        get_double(args[3], "unit_weight", &unit_weight) < 0 ||
        get_double(args[4], "multi_bound", &multi_bound) < 0 ||
        get_double(args[5], "lowered", &lowered) < 0)
        return NULL;
    if (scores_arr.size < rows_arr.size || units_arr.size < rows_arr.size)
        return value_error("scores or units are shorter than rows");
    int32_t *rows = rows_arr.data;
    double *scores = scores_arr.data, *units = units_arr.data;
    Py_ssize_t kept = 0;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < rows_arr.size; i++) {
        double bound = units[i] * unit_weight;
        bound += scores[i];
        if (multi_bound != 0.0) bound += multi_bound; /* NaN is true here, as in Python */
        if (bound >= lowered) {
            rows[kept] = rows[i];
            scores[kept] = scores[i];
            units[kept] = units[i];
            kept++;
        }
    }
    Py_END_ALLOW_THREADS
    return PyLong_FromSsize_t(kept);
}

/* -- find_in_runs ------------------------------------------------------------------------------ */

/* A key of an int32 or int64 array. */
static inline int64_t key_at(const Arr *keys, Py_ssize_t i) {
    return keys->kind == K_I32 ? ((const int32_t *)keys->data)[i]
                               : ((const int64_t *)keys->data)[i];
}

/* Where a search for the next key in one run starts. Keys in ascending order search on from
 * the last one's position: every row before it is below the last key, hence below this one. */
typedef struct {
    int64_t from;
    int64_t last_key;
} KeySeek;
#define KEY_SEEK_START ((KeySeek){0, INT64_MIN})
#define SEEK_ABSENT (-1)
#define SEEK_DAMAGED (-2)

/* The position of ``key`` in ``run`` (the leftmost row >= key, as searchsorted's "left",
 * when that row is the key), SEEK_ABSENT when no row is, SEEK_DAMAGED when the run's data is
 * damaged. */
static inline int64_t seek_key(const Rows *run, Cursor *c, KeySeek *seek, int64_t key) {
    if (key < INT32_MIN || key > INT32_MAX) return SEEK_ABSENT; /* no row is */
    if (key < seek->last_key) seek->from = 0;
    int32_t row;
    int64_t first = rows_lower_bound(run, c, (int32_t)key, seek->from);
    if (first < 0 || (first < run->size && cursor_row(run, c, first, &row) < 0))
        return SEEK_DAMAGED;
    seek->from = first;
    seek->last_key = key;
    return first < run->size && row == key ? first : SEEK_ABSENT;
}

PyDoc_STRVAR(
    find_in_runs_doc,
    "find_in_runs(doc_rows, bounds, rows, which, columns, at) -> int\n\n"
    "Find each of ``rows`` (any order) in each sorted run ``doc_rows[bounds[r, 0]:bounds[r, "
    "1]]``\n(packed rows ``(data, skips)``: its blocks start at ``bounds[r, 2]``);\nreturns how many (run, row) pairs were found, written to ``which`` (the run), "
    "``columns`` (the\nrow's index in ``rows``) and ``at`` (its position in ``doc_rows``), "
    "run by run and, within a\nrun, in the order of ``rows``: the same pairs, in the same "
    "order, as ``searchsorted`` of\n``rows`` in each run but its last row, a gather and "
    "``nonzero``. Ascending ``rows`` are found faster\n(each search starts where the last "
    "ended, and a packed block is decoded once). An empty run finds nothing;\na run outside ``doc_rows`` raises IndexError. "
    "The outputs hold at least ``bounds.shape[0] *\nrows.size`` slots.");

static PyObject *py_find_in_runs(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Arr doc_rows = {0}, bounds, rows, which, columns, at;
    Packed packed;
    int is_packed;
    if (check_nargs("find_in_runs", nargs, 6) < 0 ||
        get_postings(args[0], &doc_rows, &packed, &is_packed) < 0 ||
        get_array(args[1], "bounds", BIT(K_I64), 2, 0, &bounds) < 0 ||
        get_array(args[2], "rows", BIT(K_I32) | BIT(K_I64), 1, 0, &rows) < 0 ||
        get_array(args[3], "which", BIT(K_I64), 1, 1, &which) < 0 ||
        get_array(args[4], "columns", BIT(K_I64), 1, 1, &columns) < 0 ||
        get_array(args[5], "at", BIT(K_I64), 1, 1, &at) < 0)
        return NULL;
    Py_ssize_t n_runs = PyArray_DIM((PyArrayObject *)args[1], 0);
    const Py_ssize_t columns_per_run = 2 + is_packed;
    if (PyArray_DIM((PyArrayObject *)args[1], 1) != columns_per_run)
        return value_error("bounds must be (runs, 2), or (runs, 3) for packed rows");
    if (n_runs > 0 && rows.size > PY_SSIZE_T_MAX / n_runs)
        return value_error("too many (run, row) pairs");
    Py_ssize_t slots = n_runs * rows.size;
    if (which.size < slots || columns.size < slots || at.size < slots)
        return value_error("the outputs are shorter than runs times rows");
    const int64_t *bound = bounds.data;
    int64_t *out_which = which.data, *out_columns = columns.data, *out_at = at.data;
    Py_ssize_t found = 0;
    int status = 0;
    Cursor c;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t r = 0; r < n_runs && status == 0; r++) {
        const int64_t *run_bound = bound + columns_per_run * r;
        int64_t lo = run_bound[0], hi = run_bound[1];
        if (hi <= lo) continue;
        Rows run;
        if (run_of(doc_rows.data, doc_rows.size, is_packed ? &packed : NULL, lo, hi,
                   is_packed ? run_bound[2] : 0, &run) < 0) {
            status = -1;
            break;
        }
        cursor_init(&c);
        KeySeek seek = KEY_SEEK_START;
        for (Py_ssize_t i = 0; i < rows.size; i++) {
            int64_t first = seek_key(&run, &c, &seek, key_at(&rows, i));
            if (first == SEEK_DAMAGED) {
                status = -1;
                break;
            }
            if (first >= 0) {
                out_which[found] = r;
                out_columns[found] = i;
                out_at[found] = lo + first;
                found++;
            }
        }
    }
    Py_END_ALLOW_THREADS
    if (status < 0) {
        PyErr_SetString(PyExc_IndexError, "a run outside the postings, or damaged packed rows");
        return NULL;
    }
    return PyLong_FromSsize_t(found);
}

/* -- score_in_runs ----------------------------------------------------------------------------- */

PyDoc_STRVAR(
    score_in_runs_doc,
    "score_in_runs(doc_rows, table, weights, unit, keys, columns, tfs, lengths, norms, "
    "unit_parts,\n              k1_plus_1, out) -> int\n\n"
    "``find_in_runs`` and the parts of what it finds in one pass: run ``r`` is "
    "``doc_rows[table[r, 0]:table[r, 1]]``\n(packed rows ``(data, skips)``: its blocks start "
    "at ``table[r, 4]``), its term's row of ``out`` is\n``table[r, 2]`` and its tfs sit at its "
    "positions plus ``table[r, 3]`` unless ``unit[r]``. Each\nkey found adds its part to "
    "``out[table[r, 2], columns[i]]``: ``unit_parts[length] * weight`` for a\nunit run, else "
    "``term_scores``'s tf (k1 + 1) / (tf + norm) * weight, the same float64 operations\nin "
    "the same order (``maxscore.score_rows_per_term``'s numpy path). Ascending keys are found "
    "fastest\n(as in ``find_in_runs``). Returns how many (run, key) pairs were found; "
    "IndexError for a run, row,\ncolumn, term, length or tf out of range, or damaged packed "
    "rows (``out`` may then be partly\nwritten).");

static PyObject *py_score_in_runs(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Arr doc_rows = {0}, table, weights, unit, keys, columns, tfs, lengths, norms, unit_parts, out;
    Packed packed;
    int is_packed;
    double k1_plus_1;
    if (check_nargs("score_in_runs", nargs, 12) < 0 ||
        get_postings(args[0], &doc_rows, &packed, &is_packed) < 0 ||
        get_array(args[1], "table", BIT(K_I64), 2, 0, &table) < 0 ||
        get_array(args[2], "weights", BIT(K_F64), 1, 0, &weights) < 0 ||
        get_array(args[3], "unit", FLAG_KINDS, 1, 0, &unit) < 0 ||
        get_array(args[4], "keys", BIT(K_I32) | BIT(K_I64), 1, 0, &keys) < 0 ||
        get_array(args[5], "columns", BIT(K_I64), 1, 0, &columns) < 0 ||
        get_array(args[6], "tfs", TF_KINDS, 1, 0, &tfs) < 0 ||
        get_array(args[7], "lengths", LENGTH_KINDS, 1, 0, &lengths) < 0 ||
        get_array(args[8], "norms", BIT(K_F64), 1, 0, &norms) < 0 ||
        get_array(args[9], "unit_parts", BIT(K_F64), 1, 0, &unit_parts) < 0 ||
        get_double(args[10], "k1_plus_1", &k1_plus_1) < 0 ||
        get_array(args[11], "out", BIT(K_F64), 2, 1, &out) < 0)
        return NULL;
    Py_ssize_t n_runs = PyArray_DIM((PyArrayObject *)args[1], 0);
    const Py_ssize_t table_columns = 4 + is_packed;
    if (PyArray_DIM((PyArrayObject *)args[1], 1) != table_columns)
        return value_error("table must be (runs, 4), or (runs, 5) for packed rows");
    if (weights.size != n_runs || unit.size != n_runs)
        return value_error("weights and unit must hold one value per run");
    if (columns.size != keys.size) return value_error("columns must hold one value per key");
    const Py_ssize_t out_terms = PyArray_DIM((PyArrayObject *)args[11], 0);
    const Py_ssize_t out_columns = PyArray_DIM((PyArrayObject *)args[11], 1);
    const Py_ssize_t n_lengths = norms.size < unit_parts.size ? norms.size : unit_parts.size;
    const int64_t *entry_of = table.data, *column_of = columns.data;
    const double *weight_of = weights.data, *norm_of = norms.data, *unit_part_of = unit_parts.data;
    const uint8_t *unit_of = unit.data;
    double *scores = out.data;
    Py_ssize_t found = 0;
    int status = 0;
    Cursor c;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t r = 0; r < n_runs && status == 0; r++) {
        const int64_t *entry = entry_of + table_columns * r;
        int64_t lo = entry[0], hi = entry[1], term = entry[2], shift = entry[3];
        if (hi <= lo) continue;
        Rows run;
        if (term < 0 || term >= out_terms ||
            run_of(doc_rows.data, doc_rows.size, is_packed ? &packed : NULL, lo, hi,
                   is_packed ? entry[4] : 0, &run) < 0) {
            status = -1;
            break;
        }
        int unit_run = unit_of[r] != 0;
        if (!unit_run && (lo + shift < 0 || hi + shift > tfs.size)) {
            status = -1;
            break;
        }
        double weight = weight_of[r];
        double *term_scores = scores + term * out_columns;
        cursor_init(&c);
        KeySeek seek = KEY_SEEK_START;
        for (Py_ssize_t i = 0; i < keys.size; i++) {
            int64_t key = key_at(&keys, i);
            int64_t first = seek_key(&run, &c, &seek, key);
            if (first == SEEK_DAMAGED) {
                status = -1;
                break;
            }
            if (first < 0) continue;
            int32_t row = (int32_t)key;
            int64_t column = column_of[i];
            if (row < 0 || row >= lengths.size || column < 0 || column >= out_columns) {
                status = -1;
                break;
            }
            uint32_t length = length_at(lengths.data, lengths.kind, row);
            if (length >= n_lengths) {
                status = -1;
                break;
            }
            double part;
            if (unit_run) {
                part = unit_part_of[length] * weight;
            } else {
                /* term_scores's operations: tf (k1 + 1) / (tf + norm) * weight */
                double tf = tf_at(tfs.data, tfs.kind, lo + first + shift);
                part = tf * k1_plus_1;
                part /= tf + norm_of[length];
                part *= weight;
            }
            term_scores[column] += part;
            found++;
        }
    }
    Py_END_ALLOW_THREADS
    if (status < 0) {
        PyErr_SetString(PyExc_IndexError,
                        "a run, row, column, term, length or tf out of range, or damaged "
                        "packed rows");
        return NULL;
    }
    return PyLong_FromSsize_t(found);
}

/* -- pack_rows, unpack_rows -------------------------------------------------------------------- */

/* ``bounds`` as run boundaries: a 1-d int64 array, non-decreasing, within ``0:limit``. */
static int get_run_bounds(PyObject *obj, Py_ssize_t limit, Arr *bounds) {
    if (get_array(obj, "bounds", BIT(K_I64), 1, 0, bounds) < 0) return -1;
    const int64_t *b = bounds->data;
    for (Py_ssize_t r = 0; r < bounds->size; r++) {
        if (b[r] < 0 || b[r] > limit || (r && b[r] < b[r - 1])) {
            PyErr_SetString(PyExc_ValueError, "bounds must be non-decreasing positions");
            return -1;
        }
    }
    return 0;
}

PyDoc_STRVAR(pack_rows_doc,
             "pack_rows(rows, bounds, data, skips, offset_base[, first_bytes, run_base, "
             "offsets]) -> (bytes, blocks)\n\n"
             "Pack the runs ``rows[bounds[r]:bounds[r + 1]]`` (each strictly increasing, rows "
             ">= 0) in\nblocks of 128 (``_packed_rows.h`` has the layout): a (first row, "
             "offset) pair per block into\n``skips`` (uint32, (blocks, 2)), the deltas into "
             "``data`` (uint8, zeroed), offsets counted\nfrom ``offset_base``. Format 7 "
             "(``first_bytes`` 3 or 4): runs of one block inline, and the\ndata offset of "
             "every 128th run (``run_base + r``) into ``offsets`` (int64). Returns the bytes\n"
             "and skip entries written; ValueError for a run that is not strictly increasing "
             "or outputs\ntoo short (``data`` needs 8 bytes to spare).");

static PyObject *py_pack_rows(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Arr rows, bounds, data, skips, offsets = {0};
    Py_ssize_t offset_base, first_bytes = 0, run_base = 0;
    if (nargs != 8 && check_nargs("pack_rows", nargs, 5) < 0) return NULL;
    if (get_array(args[0], "rows", BIT(K_I32), 1, 0, &rows) < 0 ||
        get_run_bounds(args[1], rows.size, &bounds) < 0 ||
        get_array(args[2], "data", BIT(K_U8), 1, 1, &data) < 0 ||
        get_array(args[3], "skips", BIT(K_U32), 2, 1, &skips) < 0 ||
        get_index(args[4], "offset_base", &offset_base) < 0)
        return NULL;
    if (nargs == 8 && (get_index(args[5], "first_bytes", &first_bytes) < 0 ||
                       get_index(args[6], "run_base", &run_base) < 0 ||
                       get_array(args[7], "offsets", BIT(K_I64), 1, 1, &offsets) < 0))
        return NULL;
    if (PyArray_DIM((PyArrayObject *)args[3], 1) != 2) return value_error("skips must be (n, 2)");
    if (offset_base < 0) return value_error("offset_base must be >= 0");
    if (nargs == 8 && ((first_bytes != 3 && first_bytes != 4) || run_base < 0))
        return value_error("first_bytes must be 3 or 4, run_base >= 0");
    int64_t blocks = 0, used = 0;
    if (bounds.size > 1) {
        Py_BEGIN_ALLOW_THREADS
        used = pack_runs(rows.data, bounds.data, bounds.size - 1, data.data, data.size,
                         skips.data, skips.size / 2, offset_base, (int)first_bytes, run_base,
                         offsets.data, offsets.size, &blocks);
        Py_END_ALLOW_THREADS
    }
    if (used == -1) return value_error("a run is not strictly increasing, or a row is negative");
    if (used == -2) return value_error("data, skips or offsets are too short");
    if (used == -3) return value_error("packed rows past 4 GiB");
    return Py_BuildValue("(LL)", (long long)used, (long long)blocks);
}

PyDoc_STRVAR(unpack_rows_doc,
             "unpack_rows(data, skips, bounds, block, out[, first_bytes]) -> None\n\n"
             "Decode consecutive packed runs ``bounds[r]:bounds[r + 1]``, whose blocks start at "
             "skip\nentry ``block``, into ``out[:bounds[-1] - bounds[0]]`` (int32); IndexError "
             "for runs past the\nskip entries or damaged data. Format 7 (``first_bytes`` 3 or "
             "4): one run at ``block`` (its\nskip entry, or its data offset when inline), or "
             "several from the first (``block`` 0).");

static PyObject *py_unpack_rows(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Packed packed;
    Arr bounds, out;
    Py_ssize_t block;
    if (nargs != 6 && check_nargs("unpack_rows", nargs, 5) < 0) return NULL;
    if (get_packed(args[0], args[1], nargs == 6 ? args[5] : NULL, &packed) < 0 ||
        get_run_bounds(args[2], PY_SSIZE_T_MAX, &bounds) < 0 ||
        get_index(args[3], "block", &block) < 0 ||
        get_array(args[4], "out", BIT(K_I32), 1, 1, &out) < 0)
        return NULL;
    const int64_t *b = bounds.data;
    if (bounds.size > 1 && b[bounds.size - 1] - b[0] > out.size)
        return value_error("out is shorter than the runs");
    if (packed.first_bytes && bounds.size > 2 && block != 0)
        return value_error("format 7: several runs are decoded from the first only");
    int status = 0;
    Py_BEGIN_ALLOW_THREADS
    int32_t *to = out.data;
    RunPlace place = {0, 0};
    for (Py_ssize_t r = 0; r + 1 < bounds.size && status == 0; r++) {
        Rows run;
        if (packed.first_bytes && bounds.size > 2) {
            run.plain = NULL;
            run.data = packed.data;
            run.data_size = packed.data_size;
            run.skips = packed.skips;
            run.size = b[r + 1] > b[r] ? b[r + 1] - b[r] : 0;
            if (pack_walk_run(packed.data, packed.data_size, packed.skips, packed.n_blocks,
                              packed.first_bytes, run.size, &place, &run) < 0) {
                status = -1;
                break;
            }
        } else if (run_of(NULL, 0, &packed, b[r], b[r + 1], block, &run) < 0) {
            status = -1;
            break;
        }
        for (int64_t i = 0, blocks = pack_blocks_of(run.size); i < blocks; i++) {
            if (pack_decode_block(&run, i, to + (b[r] - b[0]) + (i << PACK_SHIFT)) < 0) {
                status = -1;
                break;
            }
        }
        block += pack_blocks_of(run.size);
    }
    Py_END_ALLOW_THREADS
    if (status < 0) {
        PyErr_SetString(PyExc_IndexError, "packed rows past their skip entries, or damaged");
        return NULL;
    }
    Py_RETURN_NONE;
}

/* -- the document term cache's plain words (the answer stage's first sight of words) ----------- */

/* What ``_TermCache._analyze_plain`` reads, from the ``plain`` tuple the analyzer passes:
 * (stopwords, stem, spellings, trigger words, triggers, limit). A plain word is a lowercase
 * ASCII word (``chunk.isascii() and chunk.isalpha() and chunk.islower()``: only a-z); its
 * terms are () for a stopword, else its English stem respelt (``spellings.get(stem, stem)``),
 * as the word itself when they are equal. */
typedef struct {
    PyObject *stopwords, *stem, *spellings, *trigger_words, *triggers;
    Py_ssize_t limit;
} PlainWords;

static int plain_words_of(PyObject *plain, PlainWords *out) {
    if (!PyTuple_Check(plain) || PyTuple_GET_SIZE(plain) != 6) {
        PyErr_SetString(PyExc_TypeError, "plain must be a 6-tuple");
        return -1;
    }
    out->stopwords = PyTuple_GET_ITEM(plain, 0);
    out->stem = PyTuple_GET_ITEM(plain, 1);
    out->spellings = PyTuple_GET_ITEM(plain, 2);
    out->trigger_words = PyTuple_GET_ITEM(plain, 3);
    out->triggers = PyTuple_GET_ITEM(plain, 4);
    if (!PyAnySet_Check(out->stopwords) || !PyAnySet_Check(out->trigger_words) ||
        !PySet_Check(out->triggers) || !PyDict_Check(out->spellings) ||
        !PyCallable_Check(out->stem)) {
        PyErr_SetString(PyExc_TypeError,
                        "plain must hold (set, callable, dict, set, set, int)");
        return -1;
    }
    out->limit = PyLong_AsSsize_t(PyTuple_GET_ITEM(plain, 5));
    if (out->limit == -1 && PyErr_Occurred()) return -1;
    return 0;
}

static int chunk_is_plain(PyObject *chunk) {
    if (!PyUnicode_IS_ASCII(chunk)) return 0;
    Py_ssize_t n = PyUnicode_GET_LENGTH(chunk);
    const Py_UCS1 *s = PyUnicode_1BYTE_DATA(chunk);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (s[i] < 'a' || s[i] > 'z') return 0;
    }
    return n > 0;
}

/* ``cache[chunk]`` (a new reference): a plain word met for the first time is analysed and
 * kept here as ``_analyze_plain`` does; any other miss, or any miss once the cache holds
 * ``limit`` entries (which ``__missing__`` clears), goes to the cache's ``__missing__``.
 * ``plain`` NULL: every miss does. */
static PyObject *cached_terms(PyObject *cache, PyObject *chunk, const PlainWords *plain) {
    PyObject *found = PyDict_GetItemWithError(cache, chunk); /* borrowed; no __missing__ */
    if (found != NULL) {
        Py_INCREF(found);
        return found;
    }
    if (PyErr_Occurred()) return NULL;
    if (plain == NULL || PyDict_GET_SIZE(cache) >= plain->limit || !chunk_is_plain(chunk)) {
        return PyObject_GetItem(cache, chunk);
    }
    int stopword = PySet_Contains(plain->stopwords, chunk);
    if (stopword < 0) return NULL;
    PyObject *terms;
    if (stopword) {
        terms = PyTuple_New(0);
    } else {
        PyObject *stem = PyObject_CallOneArg(plain->stem, chunk);
        if (stem == NULL) return NULL;
        PyObject *spelt = PyDict_GetItemWithError(plain->spellings, stem); /* borrowed */
        if (spelt == NULL && PyErr_Occurred()) {
            Py_DECREF(stem);
            return NULL;
        }
        if (spelt != NULL) {
            Py_INCREF(spelt);
            Py_SETREF(stem, spelt);
        }
        int same = PyObject_RichCompareBool(stem, chunk, Py_EQ);
        terms = same < 0 ? NULL : PyTuple_Pack(1, same ? chunk : stem);
        Py_DECREF(stem);
    }
    if (terms == NULL) return NULL;
    if (PyDict_SetItem(cache, chunk, terms) < 0) {
        Py_DECREF(terms);
        return NULL;
    }
    int trigger = PySet_Contains(plain->trigger_words, chunk);
    if (trigger < 0 || (trigger && PySet_Add(plain->triggers, chunk) < 0)) {
        Py_DECREF(terms);
        return NULL;
    }
    return terms;
}

PyDoc_STRVAR(chunk_terms_doc,
"chunk_terms(chunks, cache, plain) -> list\n\n"
"``Analyzer.document_terms``' word terms: ``cache[chunk]`` of each chunk of the list, in\n"
"order, flattened. A lowercase ASCII word met for the first time is analysed here as\n"
"``_TermCache._analyze_plain`` does (``plain``: its stopwords, stemmer, spellings, trigger\n"
"words, the triggers set it adds to and the cache's size limit); any other new chunk goes\n"
"to the cache's ``__missing__``.");

static PyObject *py_chunk_terms(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (check_nargs("chunk_terms", nargs, 3) < 0) return NULL;
    PyObject *chunks = args[0], *cache = args[1];
    PlainWords plain;
    if (!PyList_Check(chunks) || !PyDict_Check(cache)) {
        PyErr_SetString(PyExc_TypeError, "chunk_terms needs a list and a dict");
        return NULL;
    }
    if (plain_words_of(args[2], &plain) < 0) return NULL;
    PyObject *terms = PyList_New(0);
    if (terms == NULL) return NULL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(chunks); i++) {
        PyObject *chunk = PyList_GET_ITEM(chunks, i);
        if (!PyUnicode_Check(chunk)) {
            PyErr_SetString(PyExc_TypeError, "a chunk is not a str");
            Py_DECREF(terms);
            return NULL;
        }
        Py_INCREF(chunk); /* the cache's __missing__ may run any Python code */
        PyObject *found = cached_terms(cache, chunk, &plain);
        Py_DECREF(chunk);
        if (found == NULL) {
            Py_DECREF(terms);
            return NULL;
        }
        PyObject *seq = PySequence_Fast(found, "a chunk's terms are not a sequence");
        Py_DECREF(found);
        if (seq == NULL) {
            Py_DECREF(terms);
            return NULL;
        }
        int status = 0;
        Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
        PyObject **items = PySequence_Fast_ITEMS(seq);
        for (Py_ssize_t k = 0; k < n && status == 0; k++) {
            status = PyList_Append(terms, items[k]);
        }
        Py_DECREF(seq);
        if (status < 0) {
            Py_DECREF(terms);
            return NULL;
        }
    }
    return terms;
}

/* -- a passage's term spans (the answer stage's analysis) ------------------------------------ */

/* Whether a chunk is alphabetic as ``str.isalpha`` says (non-empty, every character a letter). */
static int chunk_is_alpha(PyObject *chunk) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(chunk);
    if (n == 0) return 0;
    int kind = PyUnicode_KIND(chunk);
    const void *data = PyUnicode_DATA(chunk);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!Py_UNICODE_ISALPHA(PyUnicode_READ(kind, data, i))) return 0;
    }
    return 1;
}

/* Append (term, start, end) to the three columns; -1 with an exception set on failure. */
static int add_span(PyObject *terms, PyObject *starts, PyObject *ends, PyObject *term,
                    Py_ssize_t start, Py_ssize_t end) {
    if (!PyUnicode_Check(term)) {
        PyErr_SetString(PyExc_TypeError, "a term is not a str");
        return -1;
    }
    PyObject *start_obj = PyLong_FromSsize_t(start);
    if (start_obj == NULL) return -1;
    PyObject *end_obj = PyLong_FromSsize_t(end);
    if (end_obj == NULL) {
        Py_DECREF(start_obj);
        return -1;
    }
    int status = PyList_Append(terms, term) < 0 || PyList_Append(starts, start_obj) < 0 ||
                 PyList_Append(ends, end_obj) < 0;
    Py_DECREF(start_obj);
    Py_DECREF(end_obj);
    return status ? -1 : 0;
}

/* The spans of one chunk at [start, end) of the text, in the columns. */
static int chunk_spans_of(PyObject *chunk, Py_ssize_t start, Py_ssize_t end, PyObject *cache,
                          const PlainWords *plain, PyObject *token_spans, PyObject *inside_of,
                          PyObject *terms, PyObject *starts, PyObject *ends) {
    PyObject *found = cached_terms(cache, chunk, plain); /* or the term cache's __missing__ */
    if (found == NULL) return -1;
    int status = 0;
    if (chunk_is_alpha(chunk)) {
        PyObject *seq = PySequence_Fast(found, "a chunk's terms are not a sequence");
        if (seq == NULL) {
            Py_DECREF(found);
            return -1;
        }
        Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
        PyObject **items = PySequence_Fast_ITEMS(seq);
        for (Py_ssize_t i = 0; i < n && status == 0; i++) {
            status = add_span(terms, starts, ends, items[i], start, end);
        }
        Py_DECREF(seq);
        Py_DECREF(found);
        return status;
    }
    Py_DECREF(found);
    PyObject *inside = PyDict_GetItemWithError(token_spans, chunk); /* borrowed */
    if (inside != NULL) {
        Py_INCREF(inside);
    } else {
        if (PyErr_Occurred()) return -1;
        inside = PyObject_CallOneArg(inside_of, chunk);
        if (inside == NULL) return -1;
    }
    if (!PyTuple_Check(inside)) {
        Py_DECREF(inside);
        PyErr_SetString(PyExc_TypeError, "a chunk's token spans are not a tuple");
        return -1;
    }
    Py_ssize_t length = end - start;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(inside) && status == 0; i++) {
        PyObject *span = PyTuple_GET_ITEM(inside, i);
        Py_ssize_t first, last;
        if (!PyTuple_Check(span) || PyTuple_GET_SIZE(span) != 3) {
            PyErr_SetString(PyExc_TypeError, "a token span is not a (term, start, end) tuple");
            status = -1;
        } else if (get_index(PyTuple_GET_ITEM(span, 1), "start", &first) < 0 ||
                   get_index(PyTuple_GET_ITEM(span, 2), "end", &last) < 0) {
            status = -1;
        } else if (first < 0 || last < first || last > length) {
            PyErr_SetString(PyExc_IndexError, "a token span lies outside its chunk");
            status = -1;
        } else {
            status = add_span(terms, starts, ends, PyTuple_GET_ITEM(span, 0), start + first,
                              start + last);
        }
    }
    Py_DECREF(inside);
    return status;
}

PyDoc_STRVAR(chunk_spans_doc,
"chunk_spans(text, cache, token_spans, inside_of[, plain]) -> (terms, starts, ends, chunks,\n"
"places)\n\n"
"The word spans of ``Analyzer.span_columns`` (its date spans excepted) in one call: the\n"
"text's whitespace chunks (``text.split()``, ``chunks``) and where each starts (``places``,\n"
"``text.find(chunk, end of the previous)``); an alphabetic chunk's terms (``cache[chunk]``,\n"
"the term cache, which analyses a chunk met for the first time) all span the whole chunk;\n"
"another chunk's spans are its tokens' (``token_spans[chunk]``, else ``inside_of(chunk)``,\n"
"which analyses and keeps them) shifted to its place. Every token span is checked to lie in\n"
"its chunk. With ``plain`` (``chunk_terms``'), a plain word met for the first time is\n"
"analysed here, not in ``__missing__``.");

static PyObject *py_chunk_spans(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (nargs != 4 && check_nargs("chunk_spans", nargs, 5) < 0) return NULL;
    PyObject *text = args[0], *cache = args[1], *token_spans = args[2], *inside_of = args[3];
    PlainWords plain_words, *plain = NULL;
    if (nargs == 5) {
        if (!PyDict_Check(cache)) {
            PyErr_SetString(PyExc_TypeError, "cache must be a dict with plain");
            return NULL;
        }
        if (plain_words_of(args[4], &plain_words) < 0) return NULL;
        plain = &plain_words;
    }
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "text must be a str");
        return NULL;
    }
    if (!PyDict_Check(token_spans)) {
        PyErr_SetString(PyExc_TypeError, "token_spans must be a dict");
        return NULL;
    }
    if (!PyCallable_Check(inside_of)) {
        PyErr_SetString(PyExc_TypeError, "inside_of must be callable");
        return NULL;
    }
    PyObject *chunks = PyUnicode_Split(text, NULL, -1);
    if (chunks == NULL) return NULL;
    PyObject *terms = PyList_New(0), *starts = PyList_New(0), *ends = PyList_New(0);
    PyObject *places = PyList_New(0);
    int status = (terms == NULL || starts == NULL || ends == NULL || places == NULL) ? -1 : 0;
    Py_ssize_t n_text = PyUnicode_GET_LENGTH(text), end = 0;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(chunks) && status == 0; i++) {
        PyObject *chunk = PyList_GET_ITEM(chunks, i);
        Py_INCREF(chunk); /* the term cache may run Python code */
        Py_ssize_t start = PyUnicode_Find(text, chunk, end, n_text, 1);
        if (start < 0) {
            if (start == -1) PyErr_SetString(PyExc_ValueError, "a chunk is not in its text");
            status = -1;
        } else {
            end = start + PyUnicode_GET_LENGTH(chunk);
            PyObject *place = PyLong_FromSsize_t(start);
            status = place == NULL || PyList_Append(places, place) < 0 ? -1 : 0;
            Py_XDECREF(place);
            if (status == 0) {
                status = chunk_spans_of(chunk, start, end, cache, plain, token_spans, inside_of,
                                        terms, starts, ends);
            }
        }
        Py_DECREF(chunk);
    }
    if (status < 0) {
        Py_DECREF(chunks);
        Py_XDECREF(terms);
        Py_XDECREF(starts);
        Py_XDECREF(ends);
        Py_XDECREF(places);
        return NULL;
    }
    PyObject *result = PyTuple_New(5);
    if (result == NULL) {
        Py_DECREF(chunks);
        Py_DECREF(terms);
        Py_DECREF(starts);
        Py_DECREF(ends);
        Py_DECREF(places);
        return NULL;
    }
    PyTuple_SET_ITEM(result, 0, terms); /* the tuple takes the references */
    PyTuple_SET_ITEM(result, 1, starts);
    PyTuple_SET_ITEM(result, 2, ends);
    PyTuple_SET_ITEM(result, 3, chunks);
    PyTuple_SET_ITEM(result, 4, places);
    return result;
}

/* -- per-term starts from checkpoints ------------------------------------------------------ */

/* Terms between two checkpoints of ``term_starts`` and ``prefix_at``: a lookup sums at most
 * this many narrow counts (one or two cache lines). */
#define CHECKPOINT_SHIFT 6

ALWAYS_INLINE int64_t position_at(const void *indptr, Kind kind, Py_ssize_t i) {
    return kind == K_I32 ? ((const int32_t *)indptr)[i] : ((const int64_t *)indptr)[i];
}

/* ---- RM3 feedback and span objects: Python objects, GIL held ------------------------- */

PyDoc_STRVAR(term_shares_doc,
"term_shares(terms, skip_starts) -> (tuple, tuple)\n\n"
"``ranking.TermShares.of``: the distinct terms of the list in first-occurrence order, less\n"
"the empty ones and those whose first character is in the str ``skip_starts``, and each\n"
"one's count divided by the list's length, as Python's ``tf / length`` does for two ints\n"
"(both below 2**53, so one division of their exact doubles). Counted in a dict, as\n"
"``Counter`` counts: equal strings are one term, kept as the first one met.");

static PyObject *py_term_shares(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (check_nargs("term_shares", nargs, 2) < 0) return NULL;
    PyObject *terms = args[0], *skip = args[1];
    if (!PyList_Check(terms) || !PyUnicode_Check(skip)) {
        PyErr_SetString(PyExc_TypeError, "term_shares needs a list and a str");
        return NULL;
    }
    Py_ssize_t length = PyList_GET_SIZE(terms);
    if (length >= ((Py_ssize_t)1 << 53)) return value_error("too many terms");
    PyObject *counts = PyDict_New();
    if (counts == NULL) return NULL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(terms); i++) {
        PyObject *term = PyList_GET_ITEM(terms, i);
        if (!PyUnicode_Check(term)) {
            PyErr_SetString(PyExc_TypeError, "a term is not a str");
            Py_DECREF(counts);
            return NULL;
        }
        PyObject *count = PyDict_GetItemWithError(counts, term);
        Py_ssize_t n = 0;
        if (count == NULL) {
            if (PyErr_Occurred()) {
                Py_DECREF(counts);
                return NULL;
            }
        } else {
            n = PyLong_AsSsize_t(count);
        }
        PyObject *next = PyLong_FromSsize_t(n + 1);
        if (next == NULL || PyDict_SetItem(counts, term, next) < 0) {
            Py_XDECREF(next);
            Py_DECREF(counts);
            return NULL;
        }
        Py_DECREF(next);
    }
    Py_ssize_t n_distinct = PyDict_GET_SIZE(counts);
    PyObject *kept = PyTuple_New(n_distinct);
    PyObject *shares = PyTuple_New(n_distinct);
    if (kept == NULL || shares == NULL) {
        Py_XDECREF(kept);
        Py_XDECREF(shares);
        Py_DECREF(counts);
        return NULL;
    }
    Py_ssize_t pos = 0, n_kept = 0;
    PyObject *term, *count;
    Py_ssize_t n_skip = PyUnicode_GET_LENGTH(skip);
    while (PyDict_Next(counts, &pos, &term, &count)) {
        if (PyUnicode_GET_LENGTH(term) == 0) continue;
        Py_UCS4 first = PyUnicode_READ_CHAR(term, 0);
        int skipped = 0;
        for (Py_ssize_t k = 0; k < n_skip && !skipped; k++) {
            skipped = PyUnicode_READ_CHAR(skip, k) == first;
        }
        if (skipped) continue;
        PyObject *share =
            PyFloat_FromDouble((double)PyLong_AsSsize_t(count) / (double)length);
        if (share == NULL) {
            Py_DECREF(kept);
            Py_DECREF(shares);
            Py_DECREF(counts);
            return NULL;
        }
        Py_INCREF(term);
        PyTuple_SET_ITEM(kept, n_kept, term);
        PyTuple_SET_ITEM(shares, n_kept, share);
        n_kept++;
    }
    Py_DECREF(counts);
    if (n_kept < n_distinct) {
        /* A fresh tuple nobody else holds yet: shrinking it in place is allowed. */
        if (_PyTuple_Resize(&kept, n_kept) < 0 || _PyTuple_Resize(&shares, n_kept) < 0) {
            Py_XDECREF(kept);
            Py_XDECREF(shares);
            return NULL;
        }
    }
    PyObject *result = PyTuple_Pack(2, kept, shares);
    Py_DECREF(kept);
    Py_DECREF(shares);
    return result;
}

PyDoc_STRVAR(add_votes_doc,
"add_votes(votes, terms, shares, score) -> None\n\n"
"RM3's votes of one feedback passage: for each term and its share (two tuples of one\n"
"length), ``votes[term] = votes.get(term, 0.0) + share * score``, in order, as float64\n"
"operations (the product rounded, then the sum; built without FMA contraction).");

static PyObject *py_add_votes(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (check_nargs("add_votes", nargs, 4) < 0) return NULL;
    PyObject *votes = args[0], *terms = args[1], *shares = args[2];
    if (!PyDict_CheckExact(votes) || !PyTuple_Check(terms) || !PyTuple_Check(shares)) {
        PyErr_SetString(PyExc_TypeError, "add_votes needs a dict and two tuples");
        return NULL;
    }
    if (PyTuple_GET_SIZE(terms) != PyTuple_GET_SIZE(shares)) {
        return value_error("terms and shares differ in length");
    }
    double score = PyFloat_AsDouble(args[3]);
    if (score == -1.0 && PyErr_Occurred()) return NULL;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(terms); i++) {
        PyObject *term = PyTuple_GET_ITEM(terms, i);
        double share = PyFloat_AsDouble(PyTuple_GET_ITEM(shares, i));
        if (share == -1.0 && PyErr_Occurred()) return NULL;
        double prior = 0.0;
        PyObject *old = PyDict_GetItemWithError(votes, term);
        if (old != NULL) {
            prior = PyFloat_AsDouble(old);
            if (prior == -1.0 && PyErr_Occurred()) return NULL;
        } else if (PyErr_Occurred()) {
            return NULL;
        }
        double product = share * score;
        PyObject *sum = PyFloat_FromDouble(prior + product);
        if (sum == NULL) return NULL;
        int failed = PyDict_SetItem(votes, term, sum);
        Py_DECREF(sum);
        if (failed < 0) return NULL;
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(span_tuples_doc,
"span_tuples(cls, terms, starts, ends) -> tuple\n\n"
"``tuple(map(partial(tuple.__new__, cls), zip(terms, starts, ends, strict=True)))``: one\n"
"instance of the tuple subclass ``cls`` (a named tuple of three fields) per position of\n"
"the three tuples, without the zip's tuple and the partial call per span.");

static PyObject *py_span_tuples(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (check_nargs("span_tuples", nargs, 4) < 0) return NULL;
    PyObject *cls = args[0], *terms = args[1], *starts = args[2], *ends = args[3];
    if (!PyType_Check(cls) || !PyType_IsSubtype((PyTypeObject *)cls, &PyTuple_Type) ||
        (PyTypeObject *)cls == &PyTuple_Type) {
        PyErr_SetString(PyExc_TypeError, "span_tuples needs a subclass of tuple");
        return NULL;
    }
    if (!PyTuple_Check(terms) || !PyTuple_Check(starts) || !PyTuple_Check(ends)) {
        PyErr_SetString(PyExc_TypeError, "span_tuples needs three tuples");
        return NULL;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(terms);
    if (PyTuple_GET_SIZE(starts) != n || PyTuple_GET_SIZE(ends) != n) {
        return value_error("terms, starts and ends differ in length");
    }
    PyTypeObject *type = (PyTypeObject *)cls;
    PyObject *out = PyTuple_New(n);
    if (out == NULL) return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        /* What tuple.__new__ does for a subclass: tp_alloc(type, 3), then the items. */
        PyObject *span = type->tp_alloc(type, 3);
        if (span == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyObject *items[3] = {PyTuple_GET_ITEM(terms, i), PyTuple_GET_ITEM(starts, i),
                              PyTuple_GET_ITEM(ends, i)};
        for (int k = 0; k < 3; k++) {
            Py_INCREF(items[k]);
            PyTuple_SET_ITEM(span, k, items[k]);
        }
        PyTuple_SET_ITEM(out, i, span);
    }
    return out;
}

PyDoc_STRVAR(add_weighted_rows_doc,
"add_weighted_rows(out, rows, weights) -> None\n\n"
"``for row, weight in zip(rows, weights): out += weight * row``, as numpy does it: per\n"
"element the product rounded, then the sum, rows in order (no FMA). ``out`` and each row\n"
"are 1-d float64 arrays of one size; ``rows`` and ``weights`` lists of one length.");

static PyObject *py_add_weighted_rows(PyObject *self, PyObject *const *args,
                                      Py_ssize_t nargs) {
    (void)self;
    if (check_nargs("add_weighted_rows", nargs, 3) < 0) return NULL;
    Arr out;
    if (get_array(args[0], "out", BIT(K_F64), 1, 1, &out) < 0) return NULL;
    PyObject *rows = args[1], *weights = args[2];
    if (!PyList_Check(rows) || !PyList_Check(weights)) {
        PyErr_SetString(PyExc_TypeError, "add_weighted_rows needs two lists");
        return NULL;
    }
    Py_ssize_t n_rows = PyList_GET_SIZE(rows);
    if (PyList_GET_SIZE(weights) != n_rows) return value_error("rows and weights differ in length");
    /* Every argument checked before any element is written. */
    for (Py_ssize_t i = 0; i < n_rows; i++) {
        Arr row;
        if (get_array(PyList_GET_ITEM(rows, i), "row", BIT(K_F64), 1, 0, &row) < 0) return NULL;
        if (row.size != out.size) return value_error("a row's size is not out's");
        double weight;
        if (get_double(PyList_GET_ITEM(weights, i), "weight", &weight) < 0) return NULL;
    }
    double *o = (double *)out.data;
    for (Py_ssize_t i = 0; i < n_rows; i++) {
        Arr row;
        get_array(PyList_GET_ITEM(rows, i), "row", BIT(K_F64), 1, 0, &row);
        const double *r = (const double *)row.data;
        double weight = PyFloat_AsDouble(PyList_GET_ITEM(weights, i));
        for (Py_ssize_t j = 0; j < out.size; j++) {
            double product = weight * r[j];
            o[j] = o[j] + product;
        }
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(strongest_votes_doc,
"strongest_votes(votes, n) -> list | None\n\n"
"``sorted(votes.items(), key=itemgetter(1), reverse=True)[:n]`` for a dict of floats: the\n"
"``n`` largest (term, vote) pairs, ties in the dict's order (``sorted`` is stable with\n"
"``reverse``), kept by insertion into a sorted head of ``n``. None when a vote is not a\n"
"float or is NaN (whose order only ``sorted`` itself defines): the caller sorts then.");

static PyObject *py_strongest_votes(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (check_nargs("strongest_votes", nargs, 2) < 0) return NULL;
    PyObject *votes = args[0];
    if (!PyDict_Check(votes)) {
        PyErr_SetString(PyExc_TypeError, "strongest_votes needs a dict");
        return NULL;
    }
    Py_ssize_t n;
    if (get_index(args[1], "n", &n) < 0) return NULL;
    if (n < 0) n = 0;
    Py_ssize_t size = PyDict_GET_SIZE(votes);
    if (n > size) n = size;
    /* The head: n (vote, key, value) slots, by falling vote; borrowed from the dict, which
     * nothing changes while this runs (no Python code is called). */
    double *head = NULL;
    PyObject **head_keys = NULL, **head_values = NULL;
    if (n > 0) {
        head = PyMem_Malloc(sizeof(double) * (size_t)n);
        head_keys = PyMem_Malloc(sizeof(PyObject *) * (size_t)n);
        head_values = PyMem_Malloc(sizeof(PyObject *) * (size_t)n);
        if (head == NULL || head_keys == NULL || head_values == NULL) {
            PyMem_Free(head);
            PyMem_Free(head_keys);
            PyMem_Free(head_values);
            return PyErr_NoMemory();
        }
    }
    Py_ssize_t count = 0, pos = 0;
    PyObject *key, *value;
    int unordered = 0;
    while (PyDict_Next(votes, &pos, &key, &value)) {
        if (!PyFloat_CheckExact(value)) {
            unordered = 1;
            break;
        }
        double v = PyFloat_AS_DOUBLE(value);
        if (v != v) {
            unordered = 1;
            break;
        }
        if (n == 0 || (count == n && !(v > head[n - 1]))) continue;
        /* After every kept vote >= v: an equal vote met earlier stays ahead. */
        Py_ssize_t at = count < n ? count : n - 1;
        while (at > 0 && head[at - 1] < v) {
            head[at] = head[at - 1];
            head_keys[at] = head_keys[at - 1];
            head_values[at] = head_values[at - 1];
            at--;
        }
        head[at] = v;
        head_keys[at] = key;
        head_values[at] = value;
        if (count < n) count++;
    }
    PyObject *out = NULL;
    if (!unordered) {
        out = PyList_New(count);
        for (Py_ssize_t i = 0; out != NULL && i < count; i++) {
            PyObject *pair = PyTuple_Pack(2, head_keys[i], head_values[i]);
            if (pair == NULL) {
                Py_CLEAR(out);
                break;
            }
            PyList_SET_ITEM(out, i, pair);
        }
    }
    PyMem_Free(head);
    PyMem_Free(head_keys);
    PyMem_Free(head_values);
    if (unordered) Py_RETURN_NONE;
    return out;
}

PyDoc_STRVAR(term_starts_doc,
             "term_starts(indptr, multi, checkpoints, term) -> (block, tf_start)\n\n"
             "A term's first skip entry (``packed.term_blocks``) and the start of its tf >= 2 "
             "tfs in a\ncompact tf array (``postings.compact_tf_starts``), from the values at "
             "every 64th term\n(``checkpoints``, int64 (n, 2)) and the counts of the terms "
             "between: ``indptr`` (int32/64,\nterms + 1) and ``multi`` (each term's tf >= 2 "
             "postings, uint8/16/32, or format 7's\n``(uint8, int64 (k, 2))``: 255 escapes "
             "to the sorted (term, count) pairs). ``term`` may be the\nterm count (the totals). "
             "IndexError for a term or checkpoint out of range.");

static PyObject *py_term_starts(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Counts multi;
    Arr indptr, checkpoints;
    Py_ssize_t term;
    if (check_nargs("term_starts", nargs, 4) < 0 ||
        get_array(args[0], "indptr", BIT(K_I32) | BIT(K_I64), 1, 0, &indptr) < 0 ||
        get_counts(args[1], "multi", &multi) < 0 ||
        get_array(args[2], "checkpoints", BIT(K_I64), 2, 0, &checkpoints) < 0 ||
        get_index(args[3], "term", &term) < 0)
        return NULL;
    Py_ssize_t at = term >> CHECKPOINT_SHIFT;
    if (indptr.size != multi.narrow.size + 1 || term < 0 || term > multi.narrow.size ||
        2 * at + 1 >= checkpoints.size) {
        PyErr_SetString(PyExc_IndexError, "term out of range");
        return NULL;
    }
    const int64_t *ck = checkpoints.data;
    int64_t blocks = ck[2 * at], tf = ck[2 * at + 1];
    for (Py_ssize_t u = at << CHECKPOINT_SHIFT; u < term; u++) {
        int64_t m = count_at(&multi, u);
        int64_t n = position_at(indptr.data, indptr.kind, u + 1) -
                    position_at(indptr.data, indptr.kind, u);
        blocks += pack_blocks_of(m) + pack_blocks_of(n - m);
        tf += m;
    }
    return Py_BuildValue("(LL)", (long long)blocks, (long long)tf);
}

PyDoc_STRVAR(term_checkpoints_doc,
             "term_checkpoints(indptr, multi, out) -> bool\n\n"
             "``term_starts``' checkpoints: at every 64th term and at the term count, the first "
             "skip entry\nand the tf start, into ``out`` (int64, (terms // 64 + 1, 2)), in one "
             "pass without\ntemporaries. False when a term's tf >= 2 count exceeds its postings "
             "(damaged counts).");

/* The one pass of ``term_checkpoints`` and ``run_checkpoints``: at every 64th term its first
 * skip entry and tf start into ``ck``; with ``inline_single`` (format 7) a run of one block has
 * no skip entry. The totals go to ``*blocks`` and ``*tf``; 0 when a term's tf >= 2 count exceeds
 * its postings (damaged counts). */
static int checkpoint_pass(const Arr *indptr, const Counts *multi, int64_t *ck, int inline_single,
                           int64_t *blocks_out, int64_t *tf_out) {
    Py_ssize_t n = multi->narrow.size;
    int64_t blocks = 0, tf = 0;
    for (Py_ssize_t u = 0; u <= n; u++) {
        if (!(u & ((1 << CHECKPOINT_SHIFT) - 1))) {
            ck[2 * (u >> CHECKPOINT_SHIFT)] = blocks;
            ck[2 * (u >> CHECKPOINT_SHIFT) + 1] = tf;
        }
        if (u == n) break;
        int64_t m = count_at(multi, u);
        int64_t size = position_at(indptr->data, indptr->kind, u + 1) -
                       position_at(indptr->data, indptr->kind, u);
        if (size < m) return 0;
        if (inline_single)
            blocks += (m > PACK_BLOCK ? pack_blocks_of(m) : 0) +
                      (size - m > PACK_BLOCK ? pack_blocks_of(size - m) : 0);
        else
            blocks += pack_blocks_of(m) + pack_blocks_of(size - m);
        tf += m;
    }
    *blocks_out = blocks;
    *tf_out = tf;
    return 1;
}

/* ``term_checkpoints`` (inline_single 0) and ``run_checkpoints`` (1): the arguments checked,
 * then the pass: -1 with an error set, else 0 with ``ok`` and the totals. */
static int checkpoint_call(const char *name, PyObject *const *args, Py_ssize_t nargs,
                           int inline_single, int *ok, int64_t *blocks, int64_t *tf) {
    Counts multi;
    Arr indptr, out;
    if (check_nargs(name, nargs, 3) < 0 ||
        get_array(args[0], "indptr", BIT(K_I32) | BIT(K_I64), 1, 0, &indptr) < 0 ||
        get_counts(args[1], "multi", &multi) < 0 ||
        get_array(args[2], "out", BIT(K_I64), 2, 1, &out) < 0)
        return -1;
    Py_ssize_t n = multi.narrow.size;
    if (indptr.size != n + 1 || out.size != 2 * ((n >> CHECKPOINT_SHIFT) + 1)) {
        value_error("indptr, multi and out disagree in size");
        return -1;
    }
    int64_t *ck = out.data;
    Py_BEGIN_ALLOW_THREADS
    *ok = checkpoint_pass(&indptr, &multi, ck, inline_single, blocks, tf);
    Py_END_ALLOW_THREADS
    return 0;
}

static PyObject *py_term_checkpoints(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    int ok;
    int64_t blocks, tf;
    if (checkpoint_call("term_checkpoints", args, nargs, 0, &ok, &blocks, &tf) < 0) return NULL;
    return PyBool_FromLong(ok);
}

PyDoc_STRVAR(run_checkpoints_doc,
             "run_checkpoints(indptr, multi, out) -> (blocks, tf) or None\n\n"
             "``term_checkpoints`` for a format-7 segment, whose runs of one block have no skip "
             "entry:\nat every 64th term, its first skip entry and its tf start, into ``out`` "
             "(int64,\n(terms // 64 + 1, 2)), in one pass; the skip entries and tfs in all, or "
             "None when a term's\ntf >= 2 count exceeds its postings.");

static PyObject *py_run_checkpoints(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    int ok;
    int64_t blocks, tf;
    if (checkpoint_call("run_checkpoints", args, nargs, 1, &ok, &blocks, &tf) < 0) return NULL;
    if (!ok) Py_RETURN_NONE;
    return Py_BuildValue("(LL)", (long long)blocks, (long long)tf);
}

PyDoc_STRVAR(run_starts_doc,
             "run_starts(indptr, multi, checkpoints, offsets, rows, term) -> (multi, unit, "
             "tf_start)\n\n"
             "Where a format-7 term's tf >= 2 and tf = 1 runs are (each its first skip entry, "
             "or its\ndata offset when it is one block; -1 for an empty run) and where its tfs "
             "start: from\n``run_checkpoints``' values and the stored data offset at every "
             "64th term (``offsets``,\nint64), then a walk over the runs of the terms between "
             "(their sizes, and each one-block\nrun's width byte in ``rows``, the packed "
             "``(data, skips, first_bytes)``). IndexError for a\nterm out of range or damaged "
             "rows.");

static PyObject *py_run_starts(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Counts multi;
    Arr indptr, checkpoints, offsets, plain;
    Packed packed;
    int is_packed;
    Py_ssize_t term;
    if (check_nargs("run_starts", nargs, 6) < 0 ||
        get_array(args[0], "indptr", BIT(K_I32) | BIT(K_I64), 1, 0, &indptr) < 0 ||
        get_counts(args[1], "multi", &multi) < 0 ||
        get_array(args[2], "checkpoints", BIT(K_I64), 2, 0, &checkpoints) < 0 ||
        get_array(args[3], "offsets", BIT(K_I64), 1, 0, &offsets) < 0 ||
        get_postings(args[4], &plain, &packed, &is_packed) < 0 ||
        get_index(args[5], "term", &term) < 0)
        return NULL;
    Py_ssize_t at = term >> CHECKPOINT_SHIFT;
    if (!is_packed || !packed.first_bytes) return value_error("rows: format-7 packed rows");
    if (indptr.size != multi.narrow.size + 1 || term < 0 || term >= multi.narrow.size ||
        2 * at + 1 >= checkpoints.size || at >= offsets.size) {
        PyErr_SetString(PyExc_IndexError, "term out of range");
        return NULL;
    }
    const int64_t *ck = checkpoints.data;
    RunPlace place = {ck[2 * at], ((const int64_t *)offsets.data)[at]};
    int64_t tf = ck[2 * at + 1], locs[2] = {-1, -1};
    int status = 0;
    for (Py_ssize_t u = at << CHECKPOINT_SHIFT; u <= term && status == 0; u++) {
        int64_t m = count_at(&multi, u);
        int64_t n = position_at(indptr.data, indptr.kind, u + 1) -
                    position_at(indptr.data, indptr.kind, u);
        int64_t sizes[2] = {m, n - m};
        for (int r = 0; r < 2 && status == 0; r++) {
            if (u == term && sizes[r] > 0)
                locs[r] = sizes[r] <= PACK_BLOCK ? place.offset : place.skip;
            /* the term's own second run need not be walked past */
            if (u == term && r == 1) break;
            status = pack_walk_run(packed.data, packed.data_size, packed.skips, packed.n_blocks,
                                   packed.first_bytes, sizes[r], &place, NULL);
        }
        if (u < term) tf += m;
    }
    if (status < 0) {
        PyErr_SetString(PyExc_IndexError, "packed rows past their skip entries, or damaged");
        return NULL;
    }
    return Py_BuildValue("(LLL)", (long long)locs[0], (long long)locs[1], (long long)tf);
}

PyDoc_STRVAR(prefix_checkpoints_doc,
             "prefix_checkpoints(counts, out) -> None\n\n"
             "``prefix_at``'s checkpoints: ``sum(counts[:i])`` for every 64th ``i`` up to the "
             "count's size\ninto ``out`` (int64, size // 64 + 1), without temporaries.");

static PyObject *py_prefix_checkpoints(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Arr counts, out;
    if (check_nargs("prefix_checkpoints", nargs, 2) < 0 ||
        get_array(args[0], "counts", LENGTH_KINDS, 1, 0, &counts) < 0 ||
        get_array(args[1], "out", BIT(K_I64), 1, 1, &out) < 0)
        return NULL;
    Py_ssize_t n = counts.size;
    if (out.size != (n >> CHECKPOINT_SHIFT) + 1) return value_error("out has the wrong size");
    int64_t *ck = out.data;
    int64_t sum = 0;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t u = 0; u <= n; u++) {
        if (!(u & ((1 << CHECKPOINT_SHIFT) - 1))) ck[u >> CHECKPOINT_SHIFT] = sum;
        if (u < n) sum += length_at(counts.data, counts.kind, u);
    }
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

PyDoc_STRVAR(prefix_at_doc,
             "prefix_at(counts, checkpoints, i) -> int\n\n"
             "``sum(counts[:i])`` from the sums at every 64th position (``checkpoints``, int64) "
             "and the\ncounts between (uint8/16/32); ``i`` may be the count's size. IndexError "
             "out of range.");

static PyObject *py_prefix_at(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Arr counts, checkpoints;
    Py_ssize_t i;
    if (check_nargs("prefix_at", nargs, 3) < 0 ||
        get_array(args[0], "counts", LENGTH_KINDS, 1, 0, &counts) < 0 ||
        get_array(args[1], "checkpoints", BIT(K_I64), 1, 0, &checkpoints) < 0 ||
        get_index(args[2], "i", &i) < 0)
        return NULL;
    Py_ssize_t at = i >> CHECKPOINT_SHIFT;
    if (i < 0 || i > counts.size || at >= checkpoints.size) {
        PyErr_SetString(PyExc_IndexError, "position out of range");
        return NULL;
    }
    int64_t sum = ((const int64_t *)checkpoints.data)[at];
    for (Py_ssize_t u = at << CHECKPOINT_SHIFT; u < i; u++)
        sum += length_at(counts.data, counts.kind, u);
    return PyLong_FromLongLong((long long)sum);
}

/* -- module ------------------------------------------------------------------------------------ */

static PyMethodDef methods[] = {
    {"mark", (PyCFunction)(void (*)(void))py_mark, METH_FASTCALL, mark_doc},
    {"unmark", (PyCFunction)(void (*)(void))py_unmark, METH_FASTCALL, unmark_doc},
    {"merge_unit", (PyCFunction)(void (*)(void))py_merge_unit, METH_FASTCALL, merge_unit_doc},
    {"merge_unit_all", (PyCFunction)(void (*)(void))py_merge_unit_all, METH_FASTCALL,
     merge_unit_all_doc},
    {"add_unit_marked", (PyCFunction)(void (*)(void))py_add_unit_marked, METH_FASTCALL,
     add_unit_marked_doc},
    {"add_unit_sorted", (PyCFunction)(void (*)(void))py_add_unit_sorted, METH_FASTCALL,
     add_unit_sorted_doc},
    {"merge_first", (PyCFunction)(void (*)(void))py_merge_first, METH_FASTCALL,
     merge_first_doc},
    {"keep_reaching", (PyCFunction)(void (*)(void))py_keep_reaching, METH_FASTCALL,
     keep_reaching_doc},
    {"find_in_runs", (PyCFunction)(void (*)(void))py_find_in_runs, METH_FASTCALL,
     find_in_runs_doc},
    {"score_in_runs", (PyCFunction)(void (*)(void))py_score_in_runs, METH_FASTCALL,
     score_in_runs_doc},
    {"pack_rows", (PyCFunction)(void (*)(void))py_pack_rows, METH_FASTCALL, pack_rows_doc},
    {"unpack_rows", (PyCFunction)(void (*)(void))py_unpack_rows, METH_FASTCALL,
     unpack_rows_doc},
    {"chunk_spans", (PyCFunction)(void (*)(void))py_chunk_spans, METH_FASTCALL,
     chunk_spans_doc},
    {"chunk_terms", (PyCFunction)(void (*)(void))py_chunk_terms, METH_FASTCALL,
     chunk_terms_doc},
    {"term_shares", (PyCFunction)(void (*)(void))py_term_shares, METH_FASTCALL,
     term_shares_doc},
    {"add_votes", (PyCFunction)(void (*)(void))py_add_votes, METH_FASTCALL, add_votes_doc},
    {"span_tuples", (PyCFunction)(void (*)(void))py_span_tuples, METH_FASTCALL,
     span_tuples_doc},
    {"add_weighted_rows", (PyCFunction)(void (*)(void))py_add_weighted_rows, METH_FASTCALL,
     add_weighted_rows_doc},
    {"strongest_votes", (PyCFunction)(void (*)(void))py_strongest_votes, METH_FASTCALL,
     strongest_votes_doc},
    {"term_starts", (PyCFunction)(void (*)(void))py_term_starts, METH_FASTCALL,
     term_starts_doc},
    {"run_checkpoints", (PyCFunction)(void (*)(void))py_run_checkpoints, METH_FASTCALL,
     run_checkpoints_doc},
    {"run_starts", (PyCFunction)(void (*)(void))py_run_starts, METH_FASTCALL, run_starts_doc},
    {"prefix_at", (PyCFunction)(void (*)(void))py_prefix_at, METH_FASTCALL, prefix_at_doc},
    {"term_checkpoints", (PyCFunction)(void (*)(void))py_term_checkpoints, METH_FASTCALL,
     term_checkpoints_doc},
    {"prefix_checkpoints", (PyCFunction)(void (*)(void))py_prefix_checkpoints, METH_FASTCALL,
     prefix_checkpoints_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    "_kernels",
    "Compiled inner loops of the MaxScore evaluation (index.search.kernels says why).",
    -1,
    methods,
};

PyMODINIT_FUNC PyInit__kernels(void) {
    import_array();
    if (PyType_Ready(&TermTableType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) return NULL;
    if (PyModule_AddObjectRef(m, "TermTable", (PyObject *)&TermTableType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
