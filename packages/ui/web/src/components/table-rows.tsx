/** The plain rows the app's tables share: a header of column names, the row shown when empty. */
export function HeadRow({ names }: { names: readonly string[] }) {
  return (
    <thead>
      <tr>
        {names.map((name, i) => (
          <th key={`${i}-${name}`}>{name}</th>
        ))}
      </tr>
    </thead>
  );
}

export function EmptyRow({ span, text }: { span: number; text: string }) {
  return (
    <tr>
      <td colSpan={span} class="muted">
        {text}
      </td>
    </tr>
  );
}
