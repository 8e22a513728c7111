// The theme's MDX components, plus the code block the build prerenders
// (plugins/prerendered-code.ts turns each code fence into a <PrerenderedCode>).
import MDXComponents from '@theme-original/MDXComponents';
import PrerenderedCode from '@site/src/components/PrerenderedCode';

export default {
  ...MDXComponents,
  PrerenderedCode,
};
