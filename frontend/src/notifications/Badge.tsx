import { NavLink } from "react-router-dom";
import { badgeText } from "./logic";
import { useUnreadCount } from "./hooks";

/**
 * The header's way to the inbox, with the unread count: it shows "Notifications 3" and is named
 * "Notifications 3 unread" (badgeLabel), from its own content.
 */
export function NotificationsBadge() {
  const text = badgeText(useUnreadCount().data);
  return (
    <NavLink to="/notifications" className="inbox-link">
      Notifications
      {text && <> <span className="count">{text}</span> <span className="sr-only">unread</span></>}
    </NavLink>
  );
}
