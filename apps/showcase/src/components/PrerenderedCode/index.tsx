// A code block highlighted at build time (plugins/prerendered-code.ts): the lines arrive as one
// HTML string, so React creates one element for them and never walks their tokens, and their
// colours come from a stylesheet per colour mode, so nothing re-renders when the mode changes.
// The title, the copy and word-wrap buttons and the keyboard-focusable scrolling are the
// theme's, as on every other code block. Off screen, a block is laid out only when it comes
// near the viewport, holding the height of its lines until then, and its buttons and
// word-wrap measure wait for that moment too (useCodeNearScreen).
import type { CSSProperties, ReactNode } from 'react';
import clsx from 'clsx';
import { ThemeClassNames, useThemeConfig } from '@docusaurus/theme-common';
import { CodeBlockContextProvider, createCodeBlockMetadata } from '@docusaurus/theme-common/internal';
import Buttons from '@theme/CodeBlock/Buttons';
import styles from './styles.module.css';
import { useCodeNearScreen, type WordWrap } from './useCodeNearScreen';

export interface PrerenderedCodeProps {
  /** The fence's code, as the copy button copies it. */
  readonly code: string;
  /** The highlighted lines, rendered at build time; without them the code is shown as plain text. */
  readonly html?: string;
  readonly language: string;
  readonly title?: string;
}

/** The theme's copy and word-wrap buttons, with the block's code and wrap state as context. */
function CodeButtons({ code, language, title, wordWrap }: Omit<PrerenderedCodeProps, 'html'> & { readonly wordWrap: WordWrap }): ReactNode {
  const { prism } = useThemeConfig();
  const metadata = createCodeBlockMetadata({
    code,
    className: `language-${language}`,
    language,
    title,
    metastring: undefined,
    magicComments: [],
    defaultLanguage: prism.defaultLanguage,
    showLineNumbers: false,
  });
  return (
    <CodeBlockContextProvider metadata={metadata} wordWrap={wordWrap}>
      <Buttons />
    </CodeBlockContextProvider>
  );
}

export default function PrerenderedCode({ code, html, language, title }: PrerenderedCodeProps): ReactNode {
  const { wordWrap, seen } = useCodeNearScreen();
  return (
    <div className={clsx('prerendered-code', ThemeClassNames.common.codeBlock, `language-${language}`, styles.container)}>
      {title !== undefined && <div className={styles.title}>{title}</div>}
      <div className={styles.content}>
        <pre
          ref={wordWrap.codeBlockRef}
          tabIndex={0}
          className={clsx('prism-code', `language-${language}`, styles.pre, 'thin-scrollbar')}
          // The block's height before the browser draws it (styles.module.css).
          style={{ '--code-lines': code.split('\n').length } as CSSProperties}>
          {html === undefined ? (
            <code className={styles.lines}>
              {code.split('\n').map((line, index) => (
                // Lines never move, so their position is their identity.
                <div key={index} className="token-line">
                  <span className="token plain">{line}</span>
                  <br />
                </div>
              ))}
            </code>
          ) : (
            <code className={styles.lines} dangerouslySetInnerHTML={{ __html: html }} />
          )}
        </pre>
        {seen && <CodeButtons code={code} language={language} {...(title !== undefined ? { title } : {})} wordWrap={wordWrap} />}
      </div>
    </div>
  );
}
