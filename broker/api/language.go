package api

import (
	"net/http"

	"golang.org/x/text/language"

	"github.com/fedhealth/federation/sagas"
)

// languages are the citizen's texts' languages, the default first: a
// request that names neither (or none at all) reads Russian.
var languages = language.NewMatcher([]language.Tag{language.Russian, language.English})

// langOf picks the reader's language from Accept-Language, q-values
// honoured (golang.org/x/text/language matching), and says so in the
// answer's Content-Language.
func langOf(w http.ResponseWriter, r *http.Request) sagas.Lang {
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	_, i, conf := languages.Match(tags...)
	if conf <= language.Low { // the matcher's guess for a language we lack (English for German): not asked for
		i = 0
	}
	lang := sagas.Langs[i]
	w.Header().Add("Vary", "Accept-Language")
	w.Header().Set("Content-Language", string(lang))
	return lang
}

// localize is code's text in lang, then note; english when the code has
// no text (a row this version does not know).
func localize(code, note, english string, lang sagas.Lang) string {
	if t := sagas.Text(code, lang); t != "" {
		return t + note
	}
	return english
}
