// A code block's word-wrap state and buttons, set up when the block first comes near the screen.
//
// The theme's hook (useCodeWordWrap) measures every block as the page hydrates: it reads each
// block's scroll width, which forces the browser to lay out blocks it has not drawn yet
// (content-visibility: auto), and the theme's buttons render for every block in the same pass.
// On a page with many excerpts that was one long task right after hydration. Here a block is
// measured when an IntersectionObserver sees it within half a screen of the viewport (where the
// browser draws skipped content, so the layout is due anyway), when the browser starts drawing
// it, each time it comes back, and on resize once seen. Its buttons appear from the first of
// these moments, rendered in a transition.
import { startTransition, useCallback, useEffect, useRef, useState } from 'react';
import type { useCodeWordWrap } from '@docusaurus/theme-common/internal';

/** The word-wrap state the theme's code block buttons read. */
export type WordWrap = ReturnType<typeof useCodeWordWrap>;

export interface CodeNearScreen {
  /** What the theme's code block buttons read from the code block context. */
  readonly wordWrap: WordWrap;
  /** True once the block has come near the screen: its buttons render from then on. */
  readonly seen: boolean;
}

/** How far outside the viewport a block counts as near: half a screen, like content-visibility's margin. */
export const nearMargin = '50% 0px';

export function useCodeNearScreen(): CodeNearScreen {
  const codeBlockRef = useRef<HTMLPreElement>(null);
  const seenRef = useRef(false);
  const [seen, setSeen] = useState(false);
  const [isEnabled, setIsEnabled] = useState(false);
  const [isCodeScrollable, setIsCodeScrollable] = useState(false);

  const measure = useCallback(() => {
    const pre = codeBlockRef.current;
    if (pre === null) return;
    // Wrapping on (an inline style on <code>) keeps the button shown, as in the theme.
    setIsCodeScrollable(pre.scrollWidth > pre.clientWidth || pre.querySelector('code')?.hasAttribute('style') === true);
  }, []);

  useEffect(() => {
    const pre = codeBlockRef.current;
    if (pre === null) return undefined;
    if (typeof IntersectionObserver === 'undefined') {
      // No observer to wait for: set the block up now, as the theme does.
      seenRef.current = true;
      measure();
      startTransition(() => setSeen(true));
      const onResizeOnly = (): void => measure();
      window.addEventListener('resize', onResizeOnly, { passive: true });
      return () => window.removeEventListener('resize', onResizeOnly);
    }
    const observer = new IntersectionObserver(
      (entries) => {
        if (!entries.some((entry) => entry.isIntersecting)) return;
        measure();
        if (!seenRef.current) {
          seenRef.current = true;
          startTransition(() => setSeen(true));
        }
      },
      { rootMargin: nearMargin },
    );
    observer.observe(pre);
    // The observer can fire while the browser still skips the block's content, which then
    // measures as not scrolling: measure again when the browser starts drawing it.
    const onDrawn = (event: Event): void => {
      if (!(event as Event & { skipped?: boolean }).skipped) measure();
    };
    pre.addEventListener('contentvisibilityautostatechange', onDrawn);
    const onResize = (): void => {
      if (seenRef.current) measure();
    };
    window.addEventListener('resize', onResize, { passive: true });
    return () => {
      observer.disconnect();
      pre.removeEventListener('contentvisibilityautostatechange', onDrawn);
      window.removeEventListener('resize', onResize);
    };
  }, [measure]);

  // After the button turns wrapping on or off, the block may no longer scroll.
  useEffect(() => {
    if (seenRef.current) measure();
  }, [isEnabled, measure]);

  const toggle = useCallback(() => {
    const code = codeBlockRef.current?.querySelector('code');
    if (!code) return;
    if (isEnabled) {
      code.removeAttribute('style');
    } else {
      code.style.whiteSpace = 'pre-wrap';
      // Even a very long token wraps, so no scrollbar is left.
      code.style.overflowWrap = 'anywhere';
    }
    setIsEnabled((value) => !value);
  }, [isEnabled]);

  return { wordWrap: { codeBlockRef, isEnabled, isCodeScrollable, toggle }, seen };
}
