// The playground's views, one at a time, chosen by the address's #fragment (so that each has a link, and the
// browser's back button works).
import { flowView } from "./flow-view.js";
import { generateView } from "./generate-view.js";
import { sentimentView } from "./sentiment-view.js";

const VIEWS = ["generate", "sentiment", "flow"] as const;
type View = (typeof VIEWS)[number];

function show(): void {
  const wanted = location.hash.slice(1);
  const view: View = (VIEWS as readonly string[]).includes(wanted) ? (wanted as View) : "generate";
  for (const v of VIEWS) {
    const section = document.getElementById(`view-${v}`);
    if (section) section.hidden = v !== view;
    const tab = document.getElementById(`tab-${v}`);
    if (v === view) tab?.setAttribute("aria-current", "page");
    else tab?.removeAttribute("aria-current");
  }
}

generateView();
sentimentView();
flowView();
window.addEventListener("hashchange", show);
show();
