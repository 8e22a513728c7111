import { useContext, type ReactNode } from 'react';
import OriginalLayout from '@theme-original/Layout';
import type { Props } from '@theme/Layout';
import { MainLandmark } from '../main-landmark';

export default function Layout(props: Props): ReactNode {
  const wrapInMain = useContext(MainLandmark);
  return <OriginalLayout {...props}>{wrapInMain ? <main>{props.children}</main> : props.children}</OriginalLayout>;
}
