/*
 * test_form_label.c - the text of printed labels (forms/form_label.c) and
 * the Tesseract language list (form_labels_lang_parse, form_tess.c).
 */
#include "forms/forms.h"

#include <string.h>

#include "common/err.h"
#include "tests/unit/test.h"

/* form_label_clean on a copy of in equals want. */
static int cleaned(const char *in, const char *want)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", in);
    form_label_clean(buf);
    if (strcmp(buf, want) != 0)
        printf("  clean('%s') = '%s', want '%s'\n", in, buf, want);
    return !strcmp(buf, want);
}

static void form_label_clean__trailing_colon__dropped_with_its_space(void)
{
    CHECK(cleaned("Nom :", "Nom"));
    CHECK(cleaned("PRENOM :", "PRENOM"));
    CHECK(cleaned("Prénom:", "Prénom"));
    CHECK(cleaned("  Téléphone ; ", "Téléphone"));
    CHECK(cleaned("Member no.", "Member no."));
    CHECK(cleaned("Heure : 10", "Heure : 10"));
    CHECK(cleaned(" : ", ""));
    CHECK(cleaned("", ""));
}

static void form_label_clean__letters_printed_apart__joined(void)
{
    CHECK(cleaned("N O M :", "NOM"));
    CHECK(cleaned("P R É N O M", "PRÉNOM"));
    CHECK(cleaned("P RENOM :", "PRENOM"));
    CHECK(cleaned("DATE DE N AISSANCE", "DATE DE NAISSANCE"));
    CHECK(cleaned("Date  de   naissance", "Date de naissance"));
}

static void form_label_clean__one_letter_words__kept_apart(void)
{
    CHECK(cleaned("I agree to the terms", "I agree to the terms"));
    CHECK(cleaned("NÉ À PARIS", "NÉ À PARIS"));
    CHECK(cleaned("A NOTER", "A NOTER"));
    CHECK(cleaned("Vitamine C total", "Vitamine C total"));
    CHECK(cleaned("x y", "x y"));
}

static void form_label_slug__accents__dropped_ascii_words(void)
{
    char out[64];
    form_label_slug("Prénom", out, sizeof out);
    CHECK(!strcmp(out, "prenom"));
    form_label_slug("Date de naissance (JJMMAAAA)", out, sizeof out);
    CHECK(!strcmp(out, "date_de_naissance_jjmmaaaa"));
    form_label_slug("N° d'adhérent", out, sizeof out);
    CHECK(!strcmp(out, "n_d_adherent"));
    form_label_slug("ÉLÈVE Œuvre ça", out, sizeof out);
    CHECK(!strcmp(out, "eleve_oeuvre_ca"));
    form_label_slug("€ —", out, sizeof out);
    CHECK(!strcmp(out, ""));
    form_label_slug(NULL, out, sizeof out);
    CHECK(!strcmp(out, ""));
    form_label_slug("Téléphone portable", out, 6);
    CHECK(!strcmp(out, "telep"));
}

static void form_find_name__french_label__ascii_slug(void)
{
    char out[64];
    form_find_name("Prénom", 0, NULL, 0, out, sizeof out);
    CHECK(!strcmp(out, "prenom"));
    form_find_name("é", 2, NULL, 0, out, sizeof out);
    CHECK(!strcmp(out, "e"));
    form_find_name("«»", 2, NULL, 0, out, sizeof out);
    CHECK(!strcmp(out, "field_3"));
}

static void form_label_charset__label_words__digits_upper_or_none(void)
{
    RecCharset digits, upper, cs = 0;
    CHECK(rec_charset_parse("digits", &digits) == 0);
    CHECK(rec_charset_parse("upper", &upper) == 0);
    static const char *const dig[] = {
        "Date de naissance", "DATE", "Né le", "NEE LE", "Born", "Phone",
        "Téléphone", "TEL", "Tél.", "Code postal", "Postcode", "ZIP code",
        "Date of birth (DDMMYYYY)", "Nom et date"};
    for (size_t i = 0; i < sizeof dig / sizeof *dig; i++) {
        cs = 0;
        CHECK(form_label_charset(dig[i], &cs) == 1 && cs == digits);
    }
    static const char *const up[] = {"NOM", "Prénom", "PRENOM", "Surname",
                                     "First name", "Nom de naissance",
                                     "Last Name"};
    for (size_t i = 0; i < sizeof up / sizeof *up; i++) {
        cs = 0;
        CHECK(form_label_charset(up[i], &cs) == 1 && cs == upper);
    }
    static const char *const none[] = {"Ville", "City", "Nominal", "Hotel",
                                       "Update", "N° d'adhérent",
                                       "Member no.", "Lieu de naissance"};
    for (size_t i = 0; i < sizeof none / sizeof *none; i++)
        CHECK(form_label_charset(none[i], &cs) == 0);
    CHECK(form_label_charset(NULL, &cs) == 0);
}

static void form_labels_lang_parse__lists__checked_copied(void)
{
    char out[FORM_LANG_MAX] = "x";
    CHECK(form_labels_lang_parse("fra+eng", out) == 0 &&
          !strcmp(out, "fra+eng"));
    CHECK(form_labels_lang_parse("eng", out) == 0 && !strcmp(out, "eng"));
    CHECK(form_labels_lang_parse("chi_sim", out) == 0);
    strcpy(out, "keep");
    CHECK(form_labels_lang_parse("", out) < 0 && strstr(err_get(), "fra+eng"));
    CHECK(form_labels_lang_parse("fra+", out) < 0);
    CHECK(form_labels_lang_parse("+eng", out) < 0);
    CHECK(form_labels_lang_parse("fra eng", out) < 0 &&
          strstr(err_get(), "'fra eng'"));
    CHECK(form_labels_lang_parse("../eng", out) < 0);
    char longs[FORM_LANG_MAX + 8];
    memset(longs, 'a', sizeof longs - 1);
    longs[sizeof longs - 1] = '\0';
    CHECK(form_labels_lang_parse(longs, out) < 0 &&
          strstr(err_get(), "longer than"));
    CHECK(!strcmp(out, "keep"));
}

static void form_options_init__defaults__fra_eng_guess_on(void)
{
    FormOptions fo;
    form_options_init(&fo);
    CHECK(!strcmp(fo.labels_lang, "fra+eng") && fo.guess_charset == 1 &&
          fo.labels == FORM_LABELS_TESSERACT);
}

int main(void)
{
    RUN(form_label_clean__trailing_colon__dropped_with_its_space);
    RUN(form_label_clean__letters_printed_apart__joined);
    RUN(form_label_clean__one_letter_words__kept_apart);
    RUN(form_label_slug__accents__dropped_ascii_words);
    RUN(form_find_name__french_label__ascii_slug);
    RUN(form_label_charset__label_words__digits_upper_or_none);
    RUN(form_labels_lang_parse__lists__checked_copied);
    RUN(form_options_init__defaults__fra_eng_guess_on);
    TEST_EXIT();
}
