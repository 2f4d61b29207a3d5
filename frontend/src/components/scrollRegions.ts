import { useEffect, type RefObject } from "react";

/** What scrolls sideways inside a page on a phone (styles.css): wide tables and code. */
const SCROLLERS = "table.list, table.competencies, .module-body table, .table-scroll, pre, .tabs, .diff";

/**
 * Makes every region inside `root` that scrolls sideways reachable by keyboard (tabindex 0), and takes that
 * away again when it fits: on a phone a wide table scrolls inside itself rather than the page, and a
 * keyboard user must be able to scroll it too (WCAG 2.1.1; axe's scrollable-region-focusable). Regions
 * that already hold something focusable are left alone. It watches the DOM and the window size, since
 * data arrives after the first render.
 */
export function useFocusableScrollers(root: RefObject<HTMLElement | null>) {
  useEffect(() => {
    const el = root.current;
    if (!el) return;
    let frame = 0;
    const update = () => {
      frame = 0;
      for (const s of el.querySelectorAll<HTMLElement>(SCROLLERS)) {
        const scrolls = s.scrollWidth > s.clientWidth + 1;
        const marked = s.dataset.scrollFocus === "1";
        if (scrolls && !marked && !s.hasAttribute("tabindex") && !s.querySelector("a[href], button, input, select, textarea, [tabindex]")) {
          s.tabIndex = 0;
          s.dataset.scrollFocus = "1";
        } else if (!scrolls && marked) {
          s.removeAttribute("tabindex");
          delete s.dataset.scrollFocus;
        }
      }
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(update);
    };
    const observer = new MutationObserver(schedule);
    observer.observe(el, { childList: true, subtree: true });
    window.addEventListener("resize", schedule);
    schedule();
    return () => {
      observer.disconnect();
      window.removeEventListener("resize", schedule);
      if (frame) cancelAnimationFrame(frame);
    };
  }, [root]);
}
