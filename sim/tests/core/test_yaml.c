/* Tests of sim/core/yaml.c: positions on every node, strict typing, and what the reader refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <cmocka.h>

#include "core/core.h"

static struct core_yaml_doc *load(const char *text)
{
    struct core_yaml_doc *doc = NULL;
    struct core_error err;
    core_error_clear(&err);
    int rc = core_yaml_load_buffer("t.yaml", text, strlen(text), &doc, &err);
    if (rc != CORE_OK)
        fail_msg("unexpected error: %s:%d:%d: %s", err.file, err.line, err.column, err.message);
    return doc;
}

static void expect_load_error(const char *text, int line, int column, const char *fragment)
{
    struct core_yaml_doc *doc = NULL;
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(core_yaml_load_buffer("t.yaml", text, strlen(text), &doc, &err), CORE_EINVAL);
    assert_null(doc);
    assert_string_equal(err.file, "t.yaml");
    if (line > 0) {
        assert_int_equal(err.line, line);
        assert_int_equal(err.column, column);
    }
    if (strstr(err.message, fragment) == NULL)
        fail_msg("message '%s' lacks '%s'", err.message, fragment);
}

static void every_node_keeps_line_and_column(void **state)
{
    (void)state;
    struct core_yaml_doc *doc = load("scenario: lost-card\nresidents:\n  - id: r1\n    born: 1958-05-10\n");
    const struct core_yaml_node *root = doc->root;
    assert_int_equal(root->kind, CORE_YAML_MAP);
    assert_int_equal(root->count, 2);
    assert_int_equal(root->keys[1]->line, 2);
    const struct core_yaml_node *res = core_yaml_get(root, "residents");
    assert_int_equal(res->kind, CORE_YAML_SEQ);
    const struct core_yaml_node *born = core_yaml_get(res->items[0], "born");
    assert_int_equal(born->line, 4);
    assert_int_equal(born->column, 11);
    assert_string_equal(born->value, "1958-05-10");
    assert_null(core_yaml_get(root, "nope"));
    assert_null(core_yaml_get(born, "x"));
    core_yaml_free(doc);
}

static void quoting_is_kept(void **state)
{
    (void)state;
    struct core_yaml_doc *doc = load("a: \"012\"\nb: 012\nc: |\n  text\n");
    assert_true(core_yaml_get(doc->root, "a")->quoted);
    assert_false(core_yaml_get(doc->root, "b")->quoted);
    assert_true(core_yaml_get(doc->root, "c")->quoted);
    core_yaml_free(doc);
}

static void refuses_aliases_anchors_tags_and_second_documents(void **state)
{
    (void)state;
    expect_load_error("a: &x 1\nb: *x\n", 1, 4, "anchors");
    expect_load_error("a: [1]\nb: *x\n", 0, 0, "");
    expect_load_error("a: !!str 1\n", 1, 4, "tags");
    expect_load_error("a: &m {x: 1}\n", 1, 4, "anchors");
    expect_load_error("a: !t [1]\n", 1, 4, "tags");
    expect_load_error("a: 1\n---\nb: 2\n", 2, 1, "one YAML document");
}

static void refuses_alias_node(void **state)
{
    (void)state;
    struct core_yaml_doc *doc = NULL;
    struct core_error err;
    const char *t = "- *x\n";
    assert_int_not_equal(core_yaml_load_buffer("t.yaml", t, strlen(t), &doc, &err), CORE_OK);
}

static void refuses_duplicate_and_complex_keys(void **state)
{
    (void)state;
    expect_load_error("a: 1\nb: 2\na: 3\n", 3, 1, "duplicate key 'a' (first at line 1)");
    expect_load_error("? [1, 2]\n: x\n", 1, 3, "mapping key");
    expect_load_error("? {a: 1}\n: x\n", 1, 3, "mapping key");
}

static void reports_syntax_errors_with_position(void **state)
{
    (void)state;
    expect_load_error("a: [1, 2\nb: 3\n", 0, 0, "YAML syntax");
    expect_load_error("a:\n  - 1\n b: 2\n", 0, 0, "YAML syntax");
}

/* libyaml's reader reports a byte offset for an encoding error; the message names that byte's line and column
 * (in characters, as every other position), not 1:1. */
static void encoding_errors_name_the_line_and_column_of_the_bad_byte(void **state)
{
    (void)state;
    expect_load_error("a: 1\nb: 2\nc: 3\nd: 4\ne: x\xffy\n", 5, 5,
                      "encoding error: invalid leading UTF-8 octet (byte 0xFF)");
    /* CR LF, a lone CR: one break each; an accented letter is one column; the trailing byte is the LF. */
    expect_load_error("a: 1\nb: 2\r\nc: 3\rd: 4\nee: \xc3\xa9\xe2\x82\n", 5, 7,
                      "invalid trailing UTF-8 octet (byte 0x0A)");
    expect_load_error("a: 1\nb: 2\nc: 3\nd: 4\ne: \"\xc3\xa9\xc3"
                      "A\"\n",
                      5, 7, "(byte 0x41)");
    expect_load_error("a: 1\nb: 2\nc: 3\nd: 4\ne: \x01\n", 5, 4,
                      "control characters are not allowed (U+0001)");
    expect_load_error("\xef\xbb\xbf"
                      "a: 1\n\xff"
                      "b",
                      2, 1, "invalid leading UTF-8 octet");
    expect_load_error("a: \"\xed\xa0\x80\"\n", 1, 5, "invalid Unicode character (U+D800)");
    expect_load_error("a: 1\xe2\x80\xa8"
                      "b\xff\n",
                      2, 2, "(byte 0xFF)"); /* U+2028 breaks a line */
    expect_load_error("a: 1\n\xf0\x9f\x98", 2, 1, "incomplete UTF-8 octet sequence");
}

static void refuses_deep_nesting(void **state)
{
    (void)state;
    char buf[400];
    size_t n = 0;
    for (int i = 0; i < 100; i++)
        buf[n++] = '[';
    for (int i = 0; i < 100; i++)
        buf[n++] = ']';
    buf[n] = '\0';
    expect_load_error(buf, 1, CORE_YAML_MAX_DEPTH + 1, "nested too deeply");
}

static void empty_document_has_no_root(void **state)
{
    (void)state;
    struct core_yaml_doc *doc = load("");
    assert_null(doc->root);
    core_yaml_free(doc);
    core_yaml_free(NULL);
}

static void check_keys_names_the_unknown_key_and_the_allowed_ones(void **state)
{
    (void)state;
    struct core_yaml_doc *doc = load("id: r1\nborn: 1958-05-10\nbron: 2\n");
    static const char *const allowed[] = {"id", "born", NULL};
    struct core_error err;
    assert_int_equal(core_yaml_check_keys(doc, doc->root, allowed, &err), CORE_EINVAL);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.column, 1);
    assert_string_equal(err.message, "unknown key 'bron' (expected one of: id, born)");
    char text[600];
    core_error_format(&err, text, sizeof text);
    assert_string_equal(text, "t.yaml:3:1: unknown key 'bron' (expected one of: id, born)");
    assert_int_equal(core_yaml_check_keys(doc, core_yaml_get(doc->root, "id"), allowed, &err), CORE_EINVAL);
    assert_string_equal(err.message, "expected a mapping, found a single value");
    const struct core_yaml_node *n;
    assert_int_equal(core_yaml_require(doc, doc->root, "id", &n, &err), CORE_OK);
    assert_int_equal(core_yaml_require(doc, doc->root, "who", &n, &err), CORE_EINVAL);
    assert_string_equal(err.message, "missing field 'who'");
    core_yaml_free(doc);
}

static void typed_reads_accept_good_values(void **state)
{
    (void)state;
    struct core_yaml_doc *doc = load(
        "n: -42\np: +7\nt: true\nf: false\nd: 2025-07-31\nq: \"2025-07-31\"\ns: 山田 太郎\ndg: \"0123\"\n"
        "e: pin\nnul: ~\n");
    struct core_error err;
    long long v;
    bool b;
    core_day d;
    char s[64];
    int idx;
    const struct core_yaml_node *r = doc->root;
    assert_int_equal(core_yaml_int(doc, core_yaml_get(r, "n"), "n", -100, 100, &v, &err), CORE_OK);
    assert_true(v == -42);
    assert_int_equal(core_yaml_int(doc, core_yaml_get(r, "p"), "p", 0, 100, &v, &err), CORE_OK);
    assert_true(v == 7);
    assert_int_equal(core_yaml_bool(doc, core_yaml_get(r, "t"), "t", &b, &err), CORE_OK);
    assert_true(b);
    assert_int_equal(core_yaml_bool(doc, core_yaml_get(r, "f"), "f", &b, &err), CORE_OK);
    assert_false(b);
    assert_int_equal(core_yaml_date(doc, core_yaml_get(r, "d"), "d", &d, &err), CORE_OK);
    core_day d2;
    assert_int_equal(core_yaml_date(doc, core_yaml_get(r, "q"), "q", &d2, &err), CORE_OK);
    assert_int_equal(d, d2);
    assert_int_equal(core_yaml_string(doc, core_yaml_get(r, "s"), "s", s, sizeof s, &err), CORE_OK);
    assert_string_equal(s, "山田 太郎");
    assert_int_equal(core_yaml_digits(doc, core_yaml_get(r, "dg"), "dg", 4, 4, s, sizeof s, &err), CORE_OK);
    assert_string_equal(s, "0123");
    static const char *const words[] = {"face", "pin", "none", NULL};
    assert_int_equal(core_yaml_enum(doc, core_yaml_get(r, "e"), "e", words, &idx, &err), CORE_OK);
    assert_int_equal(idx, 1);
    assert_true(core_yaml_is_null(core_yaml_get(r, "nul")));
    assert_true(core_yaml_is_null(NULL));
    assert_false(core_yaml_is_null(core_yaml_get(r, "dg")));
    assert_false(core_yaml_is_null(r));
    core_yaml_free(doc);
}

static void expect_field_error(struct core_yaml_doc *doc, int rc, struct core_error *err, const char *msg)
{
    (void)doc;
    if (rc != CORE_EINVAL)
        fail_msg("no error, wanted '%s'", msg);
    if (strcmp(err->message, msg) != 0)
        fail_msg("got '%s', wanted '%s'", err->message, msg);
}

static void typed_reads_reject_wrong_types_with_the_field_name(void **state)
{
    (void)state;
    struct core_yaml_doc *doc = load("n: 12x\nbig: 99999999999999999999\nq: \"5\"\nt: yes\nd: 2025-02-30\n"
                                     "dg: 0123\nda: \"01a3\"\nds: \"12\"\nm: {a: 1}\nl: [1]\ne: card\ns: x\n"
                                     "r: 500\nneg: +a\n");
    struct core_error err;
    long long v;
    bool b;
    core_day d;
    char s[4];
    int idx;
    const struct core_yaml_node *r = doc->root;
    expect_field_error(doc, core_yaml_int(doc, core_yaml_get(r, "n"), "n", 0, 100, &v, &err), &err,
                       "field 'n': expected an integer, found '12x'");
    assert_int_equal(err.line, 1);
    assert_int_equal(err.column, 4);
    expect_field_error(doc, core_yaml_int(doc, core_yaml_get(r, "big"), "big", 0, 100, &v, &err), &err,
                       "field 'big': 99999999999999999999 is out of range");
    expect_field_error(doc, core_yaml_int(doc, core_yaml_get(r, "q"), "q", 0, 100, &v, &err), &err,
                       "field 'q': expected an integer, found a quoted string");
    expect_field_error(doc, core_yaml_int(doc, core_yaml_get(r, "r"), "r", 0, 100, &v, &err), &err,
                       "field 'r': 500 is out of range (0..100)");
    expect_field_error(doc, core_yaml_int(doc, core_yaml_get(r, "neg"), "neg", 0, 100, &v, &err), &err,
                       "field 'neg': expected an integer, found '+a'");
    expect_field_error(doc, core_yaml_int(doc, core_yaml_get(r, "m"), "m", 0, 100, &v, &err), &err,
                       "field 'm': expected an integer, found a mapping");
    expect_field_error(doc, core_yaml_bool(doc, core_yaml_get(r, "t"), "t", &b, &err), &err,
                       "field 't': expected true or false, found 'yes'");
    expect_field_error(doc, core_yaml_bool(doc, core_yaml_get(r, "l"), "l", &b, &err), &err,
                       "field 'l': expected true or false, found a list");
    expect_field_error(doc, core_yaml_date(doc, core_yaml_get(r, "d"), "d", &d, &err), &err,
                       "field 'd': '2025-02-30' is not a date (YYYY-MM-DD)");
    expect_field_error(doc, core_yaml_date(doc, NULL, "x", &d, &err), &err,
                       "field 'x': expected a date YYYY-MM-DD, found nothing");
    expect_field_error(doc, core_yaml_digits(doc, core_yaml_get(r, "dg"), "dg", 4, 4, s, sizeof s, &err),
                       &err, "field 'dg': digit strings must be quoted (\"0123\") so leading zeros survive");
    expect_field_error(doc, core_yaml_digits(doc, core_yaml_get(r, "da"), "da", 4, 4, s, sizeof s, &err),
                       &err, "field 'da': '01a3' is not all digits");
    expect_field_error(doc, core_yaml_digits(doc, core_yaml_get(r, "ds"), "ds", 4, 4, s, sizeof s, &err),
                       &err, "field 'ds': expected 4 digits, found 2");
    expect_field_error(doc, core_yaml_digits(doc, core_yaml_get(r, "ds"), "ds", 3, 5, s, sizeof s, &err),
                       &err, "field 'ds': expected 3 to 5 digits, found 2");
    expect_field_error(doc, core_yaml_digits(doc, core_yaml_get(r, "m"), "m", 3, 5, s, sizeof s, &err), &err,
                       "field 'm': expected a quoted string of digits, found a mapping");
    expect_field_error(doc, core_yaml_string(doc, core_yaml_get(r, "big"), "big", s, sizeof s, &err), &err,
                       "field 'big': too long (20 bytes, at most 3)");
    expect_field_error(doc, core_yaml_string(doc, core_yaml_get(r, "l"), "l", s, sizeof s, &err), &err,
                       "field 'l': expected text, found a list");
    static const char *const words[] = {"face", "pin", NULL};
    expect_field_error(doc, core_yaml_enum(doc, core_yaml_get(r, "e"), "e", words, &idx, &err), &err,
                       "field 'e': 'card' is not one of: face, pin");
    expect_field_error(doc, core_yaml_enum(doc, core_yaml_get(r, "m"), "m", words, &idx, &err), &err,
                       "field 'm': expected a word, found a mapping");
    core_yaml_free(doc);
}

static void string_with_nul_is_refused(void **state)
{
    (void)state;
    struct core_yaml_doc *doc = load("s: \"a\\0b\"\n");
    char s[16];
    struct core_error err;
    expect_field_error(doc, core_yaml_string(doc, core_yaml_get(doc->root, "s"), "s", s, sizeof s, &err),
                       &err, "field 's': contains a NUL character");
    core_yaml_free(doc);
}

static void load_file_names_the_file(void **state)
{
    (void)state;
    struct core_yaml_doc *doc;
    struct core_error err;
    assert_int_equal(core_yaml_load_file("/nonexistent/x.yaml", &doc, &err), CORE_ENOTFOUND);
    assert_string_equal(err.file, "/nonexistent/x.yaml");
    char path[] = "/tmp/mynasim-yaml-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("a: 1\nb: [x, y]\n", f);
    fclose(f);
    assert_int_equal(core_yaml_load_file(path, &doc, &err), CORE_OK);
    assert_string_equal(doc->file, path);
    assert_int_equal(core_yaml_get(doc->root, "b")->count, 2);
    core_yaml_free(doc);
    f = fopen(path, "w");
    fputs("a: 1\n  b: 2\n", f);
    fclose(f);
    assert_int_equal(core_yaml_load_file(path, &doc, &err), CORE_EINVAL);
    assert_string_equal(err.file, path);
    assert_true(err.line >= 1);
    remove(path);
}

static void refuses_oversized_buffers(void **state)
{
    (void)state;
    struct core_yaml_doc *doc;
    struct core_error err;
    assert_int_equal(core_yaml_load_buffer(NULL, "", (size_t)CORE_YAML_MAX_SIZE + 1, &doc, &err),
                     CORE_EINVAL);
    assert_string_equal(err.file, "<input>");
    core_yaml_error(NULL, NULL, &err, CORE_EINVAL, "x");
    assert_int_equal(err.line, 0);
}

static void large_mapping_is_checked_for_duplicates_quickly(void **state)
{
    (void)state;
    size_t n = 50000, cap = n * 16 + 16, used = 0;
    char *buf = malloc(cap);
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(buf + used, cap - used, "k%zu: %zu\n", i, i);
    struct core_yaml_doc *doc = NULL;
    struct core_error err;
    assert_int_equal(core_yaml_load_buffer("big.yaml", buf, used, &doc, &err), CORE_OK);
    assert_int_equal(doc->root->count, n);
    core_yaml_free(doc);
    used += (size_t)snprintf(buf + used, cap - used, "k17: dup\n");
    assert_int_equal(core_yaml_load_buffer("big.yaml", buf, used, &doc, &err), CORE_EINVAL);
    assert_int_equal(err.line, (int)n + 1);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_node_keeps_line_and_column),
        cmocka_unit_test(quoting_is_kept),
        cmocka_unit_test(refuses_aliases_anchors_tags_and_second_documents),
        cmocka_unit_test(refuses_alias_node),
        cmocka_unit_test(refuses_duplicate_and_complex_keys),
        cmocka_unit_test(reports_syntax_errors_with_position),
        cmocka_unit_test(encoding_errors_name_the_line_and_column_of_the_bad_byte),
        cmocka_unit_test(refuses_deep_nesting),
        cmocka_unit_test(empty_document_has_no_root),
        cmocka_unit_test(check_keys_names_the_unknown_key_and_the_allowed_ones),
        cmocka_unit_test(typed_reads_accept_good_values),
        cmocka_unit_test(typed_reads_reject_wrong_types_with_the_field_name),
        cmocka_unit_test(string_with_nul_is_refused),
        cmocka_unit_test(load_file_names_the_file),
        cmocka_unit_test(refuses_oversized_buffers),
        cmocka_unit_test(large_mapping_is_checked_for_duplicates_quickly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
