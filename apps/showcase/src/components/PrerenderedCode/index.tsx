// A code block highlighted at build time (plugins/prerendered-code.ts): the lines arrive as one
// HTML string, so React creates one element for them and never walks their tokens, and their
// colours come from a stylesheet per colour mode, so nothing re-renders when the mode changes.
// The title, the copy and word-wrap buttons and the keyboard-focusable scrolling are the
// theme's, as on every other code block.
import type { ReactNode } from 'react';
import clsx from 'clsx';
import { ThemeClassNames, useThemeConfig } from '@docusaurus/theme-common';
import { CodeBlockContextProvider, createCodeBlockMetadata, useCodeWordWrap } from '@docusaurus/theme-common/internal';
import Buttons from '@theme/CodeBlock/Buttons';
import styles from './styles.module.css';

export interface PrerenderedCodeProps {
  /** The fence's code, as the copy button copies it. */
  readonly code: string;
  /** The highlighted lines, rendered at build time; without them the code is shown as plain text. */
  readonly html?: string;
  readonly language: string;
  readonly title?: string;
}

export default function PrerenderedCode({ code, html, language, title }: PrerenderedCodeProps): ReactNode {
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
  const wordWrap = useCodeWordWrap();
  return (
    <div className={clsx('prerendered-code', ThemeClassNames.common.codeBlock, `language-${language}`, styles.container)}>
      {title !== undefined && <div className={styles.title}>{title}</div>}
      <div className={styles.content}>
        <pre ref={wordWrap.codeBlockRef} tabIndex={0} className={clsx('prism-code', `language-${language}`, styles.pre, 'thin-scrollbar')}>
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
        <CodeBlockContextProvider metadata={metadata} wordWrap={wordWrap}>
          <Buttons />
        </CodeBlockContextProvider>
      </div>
    </div>
  );
}
