// The navigation drawer of a narrow screen, drawn without blocking the page as it starts.
//
// The theme renders the drawer as soon as hydration learns that the window is narrow: every
// navbar item and, on a docs page, the whole docs sidebar, hidden off-screen. That update is a
// default-priority one, which React renders in one go, so on a long docs page it was one of the
// page's longest tasks. Here the drawer's content is rendered in a transition instead, which
// React splits into short slices between other work. The drawer is ready long before a reader
// reaches for it; if they open it sooner, it renders at once, as the theme's does.
import { startTransition, useEffect, useState, type ReactNode } from 'react';
import { useLockBodyScroll, useNavbarMobileSidebar } from '@docusaurus/theme-common/internal';
import NavbarMobileSidebarLayout from '@theme/Navbar/MobileSidebar/Layout';
import NavbarMobileSidebarHeader from '@theme/Navbar/MobileSidebar/Header';
import NavbarMobileSidebarPrimaryMenu from '@theme/Navbar/MobileSidebar/PrimaryMenu';
import NavbarMobileSidebarSecondaryMenu from '@theme/Navbar/MobileSidebar/SecondaryMenu';

export default function NavbarMobileSidebar(): ReactNode {
  const mobileSidebar = useNavbarMobileSidebar();
  useLockBodyScroll(mobileSidebar.shown);
  const [drawn, setDrawn] = useState(false);
  useEffect(() => {
    if (mobileSidebar.shouldRender && !drawn) startTransition(() => setDrawn(true));
  }, [mobileSidebar.shouldRender, drawn]);
  if (!mobileSidebar.shouldRender || (!drawn && !mobileSidebar.shown)) return null;
  return (
    <NavbarMobileSidebarLayout
      header={<NavbarMobileSidebarHeader />}
      primaryMenu={<NavbarMobileSidebarPrimaryMenu />}
      secondaryMenu={<NavbarMobileSidebarSecondaryMenu />}
    />
  );
}
