// The signed-in person's inbox (GET /me/notifications and the read marks; see
// /api/docs, tag notifications).
import { api, query } from "./client";
import type { Ok, Schemas } from "./openapi";

/** One notice: a reminder of something due, with the app path it leads to. */
export type Notification = Schemas["Notification"];

/** One page of the inbox, newest first; unread_count counts every unread notice, total the notices the page was cut from. */
export type NotificationPage = Ok<"/api/v1/me/notifications", "get">;

export const notifications = {
  list: (p: { limit?: number; offset?: number; unread?: boolean } = {}) =>
    api<NotificationPage>("/me/notifications" + query({ limit: p.limit, offset: p.offset || undefined, unread: p.unread || undefined })),
  markRead: (id: string) => api<Notification>(`/me/notifications/${encodeURIComponent(id)}/read`, { method: "POST" }),
  markAllRead: () => api<{ marked: number }>("/me/notifications/read-all", { method: "POST" }),
};
