// Stands in for the theme's client module that loads extra Prism languages on every page
// (plugins/no-client-prism.ts). The site adds none, and highlights its code at build time, so
// the browser has no Prism grammars to build before the page can respond.
export {};
