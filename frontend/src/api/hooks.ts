import { useQuery } from "@tanstack/react-query";
import { api } from "./client";
import type { Client } from "./types";

/** The clients the signed-in user may see, by name. */
export function useClients() {
  return useQuery({
    queryKey: ["clients"],
    queryFn: () => api<{ clients: Client[] }>("/clients").then((r) => r.clients),
    staleTime: 5 * 60_000,
  });
}
