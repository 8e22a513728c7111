// The docs sidebar, not hydrated on a screen that hides it.
//
// The theme server-renders the desktop sidebar into every docs page (the server cannot know the
// screen). On a narrow screen CSS hides it, yet the browser hydrated all of it, every link and
// category, only to delete it a moment later, when the page learned the screen was narrow and
// switched to the drawer's copy. Here, when a narrow screen hydrates the page, the sidebar's
// server HTML is kept as it is, unhydrated (React adopts an element whose content is set as
// HTML without walking it), until that switch deletes it. A wide screen hydrates it as before,
// and a sidebar mounted after hydration (a phone turned to a wide screen) renders normally.
import type { ReactNode } from 'react';
import { useWindowSize } from '@docusaurus/theme-common';
import DocSidebarDesktop from '@theme/DocSidebar/Desktop';
import DocSidebarMobile from '@theme/DocSidebar/Mobile';
import type { Props } from '@theme/DocSidebar';

/** The theme's narrow-screen breakpoint (useWindowSize): at most 996 CSS pixels wide. */
export const narrowScreen = '(max-width: 996px)';

/** The wrapper takes no box of its own, so the sidebar's layout is the theme's. */
const wrapper = { display: 'contents' } as const;

export default function DocSidebar(props: Props): ReactNode {
  const windowSize = useWindowSize();
  // 'ssr' on the server and while the page hydrates; the window's size right after.
  const hydratingOnNarrowScreen = windowSize === 'ssr' && typeof window !== 'undefined' && window.matchMedia(narrowScreen).matches;
  return (
    <>
      {hydratingOnNarrowScreen && <div style={wrapper} dangerouslySetInnerHTML={{ __html: '' }} suppressHydrationWarning />}
      {(windowSize === 'desktop' || (windowSize === 'ssr' && !hydratingOnNarrowScreen)) && (
        <div style={wrapper}>
          <DocSidebarDesktop {...props} />
        </div>
      )}
      {windowSize === 'mobile' && <DocSidebarMobile {...props} />}
    </>
  );
}
