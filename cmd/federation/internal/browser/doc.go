// Package browser holds the browser tests of the citizens' and operators'
// pages (broker/web): the whole system on loopback, driven through
// Debian's chromium by chromedp, with axe-core's accessibility check run
// in every page, a phone-sized viewport, screenshots of every page and
// the pages' load times as the browser measured them. The tests skip, and
// say so, only when no chromium binary is found.
package browser
