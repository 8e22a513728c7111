// GitHub task lists (`- [ ] item`) render as disabled checkboxes with no label, which screen
// readers announce as an unnamed "checkbox" (axe: label, critical). This names each box
// after the text of its own list item, so "How to Check" lists read as questions.

interface HastText {
  type: 'text';
  value: string;
}

interface HastElement {
  type: 'element';
  tagName: string;
  properties?: Record<string, unknown>;
  children: HastNode[];
}

type HastNode = HastText | HastElement | { type: string; children?: HastNode[] };

function isElement(node: HastNode): node is HastElement {
  return node.type === 'element';
}

/** The text of a list item, leaving out nested lists (they are items of their own). */
export function ownText(node: HastNode): string {
  if (node.type === 'text') return (node as HastText).value;
  if (isElement(node) && (node.tagName === 'ul' || node.tagName === 'ol')) return '';
  return ('children' in node && node.children ? node.children : []).map(ownText).join('');
}

function labelTaskItems(node: HastNode): void {
  if (!('children' in node) || !node.children) return;
  if (isElement(node) && node.tagName === 'li') {
    const box = node.children.find(
      (child): child is HastElement => isElement(child) && child.tagName === 'input' && child.properties?.type === 'checkbox',
    );
    if (box) {
      const label = ownText(node).replace(/\s+/g, ' ').trim();
      if (label) box.properties = { ...box.properties, ariaLabel: label };
    }
  }
  for (const child of node.children) labelTaskItems(child);
}

export default function rehypeTaskListLabels() {
  return (tree: HastNode): void => {
    labelTaskItems(tree);
  };
}
