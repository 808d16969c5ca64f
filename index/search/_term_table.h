/* ``TermTable``: a build's terms interned by their UTF-8 bytes, with no Python object a term.
 *
 * Included by _kernels.c (its module adds the type); index/search/term_table.py says why it
 * exists and what it replaced. A term is a stretch of one growing byte buffer (``blob``) ending
 * at ``ends[id]``; ids are given in first-seen order. Lookups go through an open-addressing
 * table of int32 ids (linear probing, load ≤ 1/2), compared by length and bytes, so two terms
 * are never confused. Memory: the bytes, 4 bytes a term for its end and 8 to 16 bytes a term of
 * slots (~12 MB at 500k terms, where a dict of ``str`` keys, its ``int`` values and the strings
 * were ~46 MB). The buffers grow by doubling with realloc (large blocks are remapped by the C
 * library, not copied beside themselves).
 *
 * ``sort_ids`` and ``sorted_terms`` order ids by their terms' bytes (memcmp, then length: the
 * order of ``bytes`` comparisons, which is code point order for ``str``) with a bottom-up merge
 * sort over a scratch copy; they allocate that copy and their results only. */

typedef struct {
    PyObject_HEAD
    char *blob;
    Py_ssize_t blob_len, blob_cap;
    uint32_t *ends;  /* ends[id]: the end of term id's bytes; its start is ends[id - 1] or 0 */
    Py_ssize_t n, cap;
    int32_t *slots;  /* an id, or -1 for an empty slot */
    Py_ssize_t n_slots; /* a power of two */
} TermTable;

#define TERM_TABLE_FIRST_SLOTS ((Py_ssize_t)1 << 12)

static inline const char *tt_start(const TermTable *t, int32_t id, Py_ssize_t *len) {
    uint32_t begin = id ? t->ends[id - 1] : 0;
    *len = (Py_ssize_t)(t->ends[id] - begin);
    return t->blob + begin;
}

/* FNV-1a over the bytes, then a 64-bit finaliser (only for choosing slots). */
static inline uint64_t tt_hash(const char *s, Py_ssize_t len) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (Py_ssize_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

static int tt_place_all(TermTable *t, Py_ssize_t n_slots) {
    int32_t *slots = PyMem_RawMalloc((size_t)n_slots * sizeof(int32_t));
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    memset(slots, 0xff, (size_t)n_slots * sizeof(int32_t));
    size_t mask = (size_t)n_slots - 1;
    for (Py_ssize_t id = 0; id < t->n; id++) {
        Py_ssize_t len;
        const char *s = tt_start(t, (int32_t)id, &len);
        size_t slot = (size_t)tt_hash(s, len) & mask;
        while (slots[slot] >= 0) slot = (slot + 1) & mask;
        slots[slot] = (int32_t)id;
    }
    PyMem_RawFree(t->slots);
    t->slots = slots;
    t->n_slots = n_slots;
    return 0;
}

/* The id of the term of ``len`` bytes at ``s``, given the next one if it is new (-1: error). */
static Py_ssize_t tt_intern(TermTable *t, const char *s, Py_ssize_t len) {
    /* room for one more first, so a new term's slot stays where the probe found it */
    if (2 * (t->n + 1) > t->n_slots && tt_place_all(t, 2 * t->n_slots) < 0) return -1;
    uint64_t h = tt_hash(s, len);
    size_t mask = (size_t)t->n_slots - 1;
    size_t slot = (size_t)h & mask;
    for (;;) {
        int32_t id = t->slots[slot];
        if (id < 0) break;
        Py_ssize_t have;
        const char *held = tt_start(t, id, &have);
        if (have == len && memcmp(held, s, (size_t)len) == 0) return id;
        slot = (slot + 1) & mask;
    }
    if (t->n >= INT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "a TermTable holds at most 2**31 - 1 terms");
        return -1;
    }
    if ((uint64_t)t->blob_len + (uint64_t)len > UINT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "a TermTable holds at most 4 GiB of terms");
        return -1;
    }
    if (t->blob_len + len > t->blob_cap) {
        Py_ssize_t cap = t->blob_cap ? t->blob_cap : 1 << 16;
        while (cap < t->blob_len + len) cap *= 2;
        char *blob = PyMem_RawRealloc(t->blob, (size_t)cap);
        if (blob == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        t->blob = blob;
        t->blob_cap = cap;
    }
    if (t->n == t->cap) {
        Py_ssize_t cap = t->cap ? t->cap * 2 : 1 << 12;
        uint32_t *ends = PyMem_RawRealloc(t->ends, (size_t)cap * sizeof(uint32_t));
        if (ends == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        t->ends = ends;
        t->cap = cap;
    }
    memcpy(t->blob + t->blob_len, s, (size_t)len);
    t->blob_len += len;
    Py_ssize_t id = t->n;
    t->ends[id] = (uint32_t)t->blob_len;
    t->n++;
    t->slots[slot] = (int32_t)id;
    return id;
}

/* A ``str``'s UTF-8 bytes (lone surrogates kept, as "surrogatepass" encodes them). ``*owner``
 * gets a new reference to hold while the bytes are read (NULL when they are the str's own). */
static const char *tt_utf8(PyObject *term, Py_ssize_t *len, PyObject **owner) {
    *owner = NULL;
    if (!PyUnicode_Check(term)) {
        PyErr_SetString(PyExc_TypeError, "a term is not a str");
        return NULL;
    }
    if (PyUnicode_IS_ASCII(term)) {
        *len = PyUnicode_GET_LENGTH(term);
        return (const char *)PyUnicode_1BYTE_DATA(term);
    }
    PyObject *encoded = PyUnicode_AsEncodedString(term, "utf-8", "surrogatepass");
    if (encoded == NULL) return NULL;
    *owner = encoded;
    *len = PyBytes_GET_SIZE(encoded);
    return PyBytes_AS_STRING(encoded);
}

static PyObject *tt_decode(const TermTable *t, int32_t id) {
    Py_ssize_t len;
    const char *s = tt_start(t, id, &len);
    return PyUnicode_DecodeUTF8(s, len, "surrogatepass");
}

static inline int tt_less(const TermTable *t, int32_t a, int32_t b) {
    Py_ssize_t la, lb;
    const char *sa = tt_start(t, a, &la), *sb = tt_start(t, b, &lb);
    int c = memcmp(sa, sb, (size_t)(la < lb ? la : lb));
    return c < 0 || (c == 0 && la < lb);
}

/* ``ids`` in their terms' byte order (a bottom-up merge sort; ``scratch`` as long). */
static void tt_sort(const TermTable *t, int32_t *ids, int32_t *scratch, Py_ssize_t n) {
    int32_t *from = ids, *to = scratch;
    for (Py_ssize_t width = 1; width < n; width *= 2) {
        for (Py_ssize_t lo = 0; lo < n; lo += 2 * width) {
            Py_ssize_t mid = lo + width < n ? lo + width : n;
            Py_ssize_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            Py_ssize_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) to[k++] = tt_less(t, from[j], from[i]) ? from[j++] : from[i++];
            while (i < mid) to[k++] = from[i++];
            while (j < hi) to[k++] = from[j++];
        }
        int32_t *swap = from;
        from = to;
        to = swap;
    }
    if (from != ids) memcpy(ids, from, (size_t)n * sizeof(int32_t));
}

static PyObject *tt_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, ":TermTable", keywords)) return NULL;
    TermTable *t = (TermTable *)type->tp_alloc(type, 0);
    if (t == NULL) return NULL;
    t->slots = PyMem_RawMalloc((size_t)TERM_TABLE_FIRST_SLOTS * sizeof(int32_t));
    if (t->slots == NULL) {
        Py_DECREF(t);
        return PyErr_NoMemory();
    }
    memset(t->slots, 0xff, (size_t)TERM_TABLE_FIRST_SLOTS * sizeof(int32_t));
    t->n_slots = TERM_TABLE_FIRST_SLOTS;
    return (PyObject *)t;
}

static void tt_dealloc(TermTable *t) {
    PyMem_RawFree(t->blob);
    PyMem_RawFree(t->ends);
    PyMem_RawFree(t->slots);
    Py_TYPE(t)->tp_free((PyObject *)t);
}

static Py_ssize_t tt_len(TermTable *t) { return t->n; }

static PyObject *tt_py_intern(TermTable *t, PyObject *term) {
    Py_ssize_t len;
    PyObject *owner;
    const char *s = tt_utf8(term, &len, &owner);
    if (s == NULL) return NULL;
    Py_ssize_t id = tt_intern(t, s, len);
    Py_XDECREF(owner);
    return id < 0 ? NULL : PyLong_FromSsize_t(id);
}

static PyObject *tt_py_term(TermTable *t, PyObject *arg) {
    Py_ssize_t id = PyNumber_AsSsize_t(arg, PyExc_IndexError);
    if (id == -1 && PyErr_Occurred()) return NULL;
    if (id < 0 || id >= t->n) {
        PyErr_SetString(PyExc_IndexError, "term id out of range");
        return NULL;
    }
    return tt_decode(t, (int32_t)id);
}

static PyObject *tt_py_terms_from(TermTable *t, PyObject *arg) {
    Py_ssize_t first = PyNumber_AsSsize_t(arg, PyExc_IndexError);
    if (first == -1 && PyErr_Occurred()) return NULL;
    if (first < 0 || first > t->n) {
        PyErr_SetString(PyExc_IndexError, "term id out of range");
        return NULL;
    }
    PyObject *out = PyTuple_New(t->n - first);
    if (out == NULL) return NULL;
    for (Py_ssize_t id = first; id < t->n; id++) {
        PyObject *term = tt_decode(t, (int32_t)id);
        if (term == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyTuple_SET_ITEM(out, id - first, term);
    }
    return out;
}

static PyObject *tt_py_sort_ids(TermTable *t, PyObject *arg) {
    PyArrayObject *given = (PyArrayObject *)PyArray_FROMANY(arg, NPY_INT32, 1, 1, NPY_ARRAY_IN_ARRAY);
    if (given == NULL) return NULL;
    npy_intp n = PyArray_SIZE(given);
    PyArrayObject *out = (PyArrayObject *)PyArray_SimpleNew(1, &n, NPY_INT32);
    int32_t *scratch = PyMem_RawMalloc((size_t)(n ? n : 1) * sizeof(int32_t));
    if (out == NULL || scratch == NULL) {
        Py_DECREF(given);
        Py_XDECREF(out);
        PyMem_RawFree(scratch);
        return scratch == NULL ? PyErr_NoMemory() : NULL;
    }
    int32_t *ids = PyArray_DATA(out);
    memcpy(ids, PyArray_DATA(given), (size_t)n * sizeof(int32_t));
    Py_DECREF(given);
    for (npy_intp i = 0; i < n; i++) {
        if (ids[i] < 0 || ids[i] >= t->n) {
            PyMem_RawFree(scratch);
            Py_DECREF(out);
            PyErr_SetString(PyExc_IndexError, "term id out of range");
            return NULL;
        }
    }
    tt_sort(t, ids, scratch, n);
    PyMem_RawFree(scratch);
    return (PyObject *)out;
}

static PyObject *tt_py_sorted_terms(TermTable *t, PyObject *Py_UNUSED(ignored)) {
    npy_intp n = t->n, n_offsets = t->n + 1;
    PyArrayObject *order = (PyArrayObject *)PyArray_SimpleNew(1, &n, NPY_INT32);
    PyArrayObject *offsets = (PyArrayObject *)PyArray_SimpleNew(1, &n_offsets, NPY_INT64);
    PyObject *blob = PyBytes_FromStringAndSize(NULL, t->blob_len);
    int32_t *scratch = PyMem_RawMalloc((size_t)(n ? n : 1) * sizeof(int32_t));
    if (order == NULL || offsets == NULL || blob == NULL || scratch == NULL) {
        Py_XDECREF(order);
        Py_XDECREF(offsets);
        Py_XDECREF(blob);
        PyMem_RawFree(scratch);
        return scratch == NULL ? PyErr_NoMemory() : NULL;
    }
    int32_t *ids = PyArray_DATA(order);
    for (npy_intp i = 0; i < n; i++) ids[i] = (int32_t)i;
    tt_sort(t, ids, scratch, n);
    PyMem_RawFree(scratch);
    int64_t *ends = PyArray_DATA(offsets);
    char *out = PyBytes_AS_STRING(blob);
    int64_t at = 0;
    ends[0] = 0;
    for (npy_intp i = 0; i < n; i++) {
        Py_ssize_t len;
        const char *s = tt_start(t, ids[i], &len);
        memcpy(out + at, s, (size_t)len);
        at += len;
        ends[i + 1] = at;
    }
    return Py_BuildValue("(NNN)", blob, offsets, order);
}

static PyObject *tt_get_nbytes(TermTable *t, void *Py_UNUSED(closure)) {
    return PyLong_FromSsize_t(t->blob_cap + t->cap * (Py_ssize_t)sizeof(uint32_t) +
                              t->n_slots * (Py_ssize_t)sizeof(int32_t));
}

static PyMethodDef term_table_methods[] = {
    {"intern", (PyCFunction)tt_py_intern, METH_O,
     "intern(term: str) -> int\n\nThe term's id, given the next one on first sight."},
    {"term", (PyCFunction)tt_py_term, METH_O,
     "term(id) -> str\n\nThe term of an id (IndexError out of range)."},
    {"terms_from", (PyCFunction)tt_py_terms_from, METH_O,
     "terms_from(first) -> tuple[str, ...]\n\nThe terms of ids ``first`` onwards, in id order."},
    {"sort_ids", (PyCFunction)tt_py_sort_ids, METH_O,
     "sort_ids(ids) -> numpy.ndarray\n\nDistinct ids (int32) in their terms' byte order, a new "
     "int32 array;\nIndexError if one is out of range."},
    {"sorted_terms", (PyCFunction)tt_py_sorted_terms, METH_NOARGS,
     "sorted_terms() -> (bytes, offsets, ids)\n\nEvery term in byte order: their UTF-8 bytes "
     "joined, int64 offsets (one more\nthan terms) and the id of each (int32)."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef term_table_getset[] = {
    {"nbytes", (getter)tt_get_nbytes, NULL, "Bytes the table has allocated.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PySequenceMethods term_table_sequence = {
    .sq_length = (lenfunc)tt_len,
};

static PyTypeObject TermTableType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "index.search._kernels.TermTable",
    .tp_basicsize = sizeof(TermTable),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "TermTable()\n\nTerms interned by their UTF-8 bytes, ids in first-seen order "
              "(index.search.term_table).",
    .tp_new = tt_new,
    .tp_dealloc = (destructor)tt_dealloc,
    .tp_methods = term_table_methods,
    .tp_getset = term_table_getset,
    .tp_as_sequence = &term_table_sequence,
};
