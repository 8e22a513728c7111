// The theme's code block, for code that reaches it at run time rather than as a Markdown fence
// (which the build highlights: plugins/prerendered-code.ts). The theme's own block would bring
// Prism into the browser for every docs page; this one shows the code as plain text in the same
// layout, with the same copy and word-wrap buttons.
import type { ReactNode } from 'react';
import type { Props } from '@theme/CodeBlock';
import PrerenderedCode from '@site/src/components/PrerenderedCode';

/** The code of a block's children: a string, or strings split by MDX. */
function codeOf(children: ReactNode): string {
  if (typeof children === 'string') return children;
  if (Array.isArray(children) && children.every((child) => typeof child === 'string')) return children.join('');
  throw new Error('This site renders code blocks from text only: pass the code as a string.');
}

export default function CodeBlock({ children, className, language, title }: Props): ReactNode {
  const code = codeOf(children).replace(/\n$/, '');
  const lang = language ?? /(?:^|\s)language-(\S+)/.exec(className ?? '')?.[1] ?? 'text';
  return <PrerenderedCode code={code} language={lang} {...(typeof title === 'string' ? { title } : {})} />;
}
