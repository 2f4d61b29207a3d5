import { useQueries } from "@tanstack/react-query";
import { learning } from "../api/learning";
import { keys } from "../training/hooks";

/**
 * The titles of the programs' required modules, by "<program id>|<slug>", so
 * tasks read "Read Outage response" rather than a slug. Missing titles (still
 * loading, or a program that failed to load) leave the slug in place.
 */
export function useModuleTitles(programIDs: string[]): (programID: string, slug: string) => string | undefined {
  const ids = [...new Set(programIDs)].sort();
  const details = useQueries({
    queries: ids.map((id) => ({ queryKey: keys.program(id), queryFn: () => learning.program(id), staleTime: 5 * 60_000 })),
  });
  const titles = new Map<string, string>();
  // Plans name core modules "core/<slug>".
  details.forEach((d, i) => d.data?.requirements.modules.forEach((m) => {
    titles.set(`${ids[i]}|${m.slug}`, m.title);
    if (m.core) titles.set(`${ids[i]}|core/${m.slug}`, m.title);
  }));
  return (programID, slug) => titles.get(`${programID}|${slug}`);
}
