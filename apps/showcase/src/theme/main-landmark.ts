import { createContext } from 'react';

/**
 * Set by a page whose content would otherwise sit outside any landmark (the search page of
 * the offline search plugin renders the layout itself): the layout then wraps that content
 * in <main>. Docs pages, the landing page and the 404 page bring their own <main>.
 */
export const MainLandmark = createContext(false);
