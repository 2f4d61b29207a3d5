import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { downloadCSV, filenameFrom, setTokens } from "../api/client";
import { Bar } from "./Analysis";
import { CSVButton } from "./Compliance";

describe("filenameFrom", () => {
  it("reads plain and encoded names, else falls back", () => {
    expect(filenameFrom('attachment; filename="license-gaps-2026-12-01.csv"', "x.csv")).toBe("license-gaps-2026-12-01.csv");
    expect(filenameFrom("attachment; filename=queue.csv", "x.csv")).toBe("queue.csv");
    expect(filenameFrom("attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.csv", "x.csv")).toBe("résumé.csv");
    expect(filenameFrom(null, "x.csv")).toBe("x.csv");
    expect(filenameFrom("inline", "x.csv")).toBe("x.csv");
  });
});

describe("downloadCSV", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    setTokens(null);
  });

  it("fetches with the bearer token and saves the body under the server's name", async () => {
    setTokens({ access_token: "tok", token_type: "Bearer", expires_in: 900, expires_at: "", refresh_expires_at: "" });
    const fetchMock = vi.fn(async () => new Response("email,npn\na@x,1\n", {
      status: 200, headers: { "Content-Type": "text/csv", "Content-Disposition": 'attachment; filename="license-queue-2026-12-01.csv"' },
    }));
    vi.stubGlobal("fetch", fetchMock);
    const created: Blob[] = [];
    URL.createObjectURL = vi.fn((b: Blob) => { created.push(b); return "blob:1"; }) as typeof URL.createObjectURL;
    URL.revokeObjectURL = vi.fn();
    const clicks: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) { clicks.push(this.download); });

    await expect(downloadCSV("/reports/license-queue", "fallback.csv")).resolves.toBe("license-queue-2026-12-01.csv");
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/v1/reports/license-queue");
    expect((init.headers as Record<string, string>).Authorization).toBe("Bearer tok");
    expect((init.headers as Record<string, string>).Accept).toBe("text/csv");
    expect(await created[0].text()).toBe("email,npn\na@x,1\n");
    expect(clicks).toEqual(["license-queue-2026-12-01.csv"]);
  });

  it("shows the API's refusal next to the button", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify({ code: "forbidden", message: "compliance and admins only" }), { status: 403 })));
    render(<CSVButton path="/reports/license-gaps" name="gaps.csv" label="Download CSV" />);
    await userEvent.click(screen.getByRole("button", { name: "Download CSV" }));
    expect(await screen.findByRole("status")).toHaveTextContent("The download failed: Compliance and admins only.");
  });
});

describe("Bar", () => {
  afterEach(cleanup);

  it("says its value and the minimum in words, and marks a score under the minimum", () => {
    const { container } = render(<Bar value={62.4} minimum={80} label="safety mean score" />);
    expect(screen.getByRole("img")).toHaveAccessibleName("safety mean score: 62%, minimum 80%");
    expect(container.querySelector(".bar-fill")).toHaveClass("low");
    expect(container.querySelector<HTMLElement>(".bar-fill")!.style.width).toBe("62.4%");
  });

  it("has no data without a value", () => {
    render(<Bar value={null} label="empathy" />);
    expect(screen.getByRole("img")).toHaveAccessibleName("empathy: no data");
  });
});

describe("staff.users", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("follows next until the last page", async () => {
    const { staff } = await import("../api/staff");
    const pages: Record<string, unknown> = {
      "": { users: [{ id: "1", email: "a@x" }], next: "a@x" },
      "a@x": { users: [{ id: "2", email: "b@x" }], next: "" },
    };
    const seen: string[] = [];
    vi.stubGlobal("fetch", vi.fn(async (url: string) => {
      const q = new URL(url, "http://h").searchParams;
      seen.push(q.toString());
      return new Response(JSON.stringify(pages[q.get("after") ?? ""]), { status: 200 });
    }));
    expect((await staff.users("agent")).map((u) => u.id)).toEqual(["1", "2"]);
    expect(seen).toEqual(["role=agent&limit=500", "role=agent&limit=500&after=a%40x"]);
  });
});

describe("plainText", () => {
  it("drops emphasis and code marks", async () => {
    const { plainText } = await import("./Analysis");
    expect(plainText("The ETR status is **Assessing**; say `Assessing`, not __tonight__.")).toBe("The ETR status is Assessing; say Assessing, not tonight.");
  });
});
