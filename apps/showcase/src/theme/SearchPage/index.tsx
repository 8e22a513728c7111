import type { ReactNode } from 'react';
import OriginalSearchPage from '@theme-original/SearchPage';
import { MainLandmark } from '../main-landmark';

/** The offline search page, with its results inside a <main> landmark. */
export default function SearchPage(): ReactNode {
  return (
    <MainLandmark.Provider value={true}>
      <OriginalSearchPage />
    </MainLandmark.Provider>
  );
}
