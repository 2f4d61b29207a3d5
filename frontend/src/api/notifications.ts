// The signed-in person's inbox (GET /me/notifications and the read marks; see
// /api/docs, tag notifications).
import { api, query } from "./client";

/** One notice: a reminder of something due, with the app path it leads to. */
export interface Notification {
  id: string;
  kind: string;
  key: string;
  title: string;
  body: string;
  link: string;
  /** The instant it is due (for machines). */
  due_at?: string;
  /** The day it is due, "2026-12-01": the date to show. */
  due_date?: string;
  created_at: string;
  read_at?: string;
}

/** One page of the inbox, newest first. */
export interface NotificationPage {
  notifications: Notification[];
  /** Every unread notice of the user, not just this page's. */
  unread_count: number;
  /** The notices the page was cut from (with the unread filter applied). */
  total: number;
}

export const notifications = {
  list: (p: { limit?: number; offset?: number; unread?: boolean } = {}) =>
    api<NotificationPage>("/me/notifications" + query({ limit: p.limit, offset: p.offset || undefined, unread: p.unread || undefined })),
  markRead: (id: string) => api<Notification>(`/me/notifications/${encodeURIComponent(id)}/read`, { method: "POST" }),
  markAllRead: () => api<{ marked: number }>("/me/notifications/read-all", { method: "POST" }),
};
