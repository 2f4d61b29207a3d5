import { useClients } from "../api/hooks";

interface ClientPickerProps {
  value: string[];
  onChange: (ids: string[]) => void;
  error?: string;
  legend?: string;
}

/** Checkboxes for client memberships, with the API's error under them. */
export function ClientPicker({ value, onChange, error, legend = "Client memberships" }: ClientPickerProps) {
  const clients = useClients();
  const errorId = "client-picker-error";
  return (
    <fieldset className="checks" aria-invalid={error ? true : undefined} aria-describedby={error ? errorId : undefined}>
      <legend>{legend}</legend>
      {clients.isPending && <p className="hint">Loading clients…</p>}
      {clients.isError && <p className="field-error">Cannot load the clients: {clients.error.message}</p>}
      {clients.data?.length === 0 && <p className="hint">There are no clients yet.</p>}
      {clients.data?.map((c) => (
        <label key={c.id} className="check">
          <input
            type="checkbox"
            checked={value.includes(c.id)}
            onChange={(e) => onChange(e.target.checked ? [...value, c.id] : value.filter((v) => v !== c.id))}
          />
          {c.name}
        </label>
      ))}
      {error && <p id={errorId} className="field-error">{error}</p>}
    </fieldset>
  );
}

/** Client names for ids, in the order given; unknown ids shown as they are. */
export function useClientNames() {
  const clients = useClients();
  return (ids: string[]) => ids.map((id) => clients.data?.find((c) => c.id === id)?.name ?? id).join(", ");
}
