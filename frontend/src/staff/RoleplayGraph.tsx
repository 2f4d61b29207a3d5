// The turn graph of a role-play, laid out by dagre and drawn by React Flow. Loaded lazily (React.lazy) so the
// rest of the app's bundle does not carry it; the turn list beside it says the same in text.
import { useMemo } from "react";
import { Background, Controls, MarkerType, ReactFlow, type Edge, type Node } from "@xyflow/react";
import dagre from "@dagrejs/dagre";
import "@xyflow/react/dist/style.css";
import { edgesOf, type RoleplayModel } from "./roleplayDoc";

const W = 180;
const H = 64;

/** Nodes for the turns and endings, edges for each option's next, laid out top to bottom. */
function layout(m: RoleplayModel, problems: Set<string>, selected: string) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "TB", nodesep: 30, ranksep: 50 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set<string>();
  const nodes: Node[] = [];
  for (const t of m.turns) {
    if (!t.id || ids.has(t.id)) continue;
    ids.add(t.id);
    const bad = problems.has(t.id);
    nodes.push({
      id: t.id, position: { x: 0, y: 0 },
      data: { label: `${t.id === m.start ? "▶ " : ""}${t.id}${bad ? " ⚠" : ""}` },
      className: ["rp-node", bad ? "rp-node-problem" : "", t.id === selected ? "rp-node-selected" : ""].join(" "),
      style: { width: W },
    });
  }
  for (const e of m.endings) {
    if (!e.id || ids.has(e.id)) continue;
    ids.add(e.id);
    nodes.push({ id: e.id, position: { x: 0, y: 0 }, data: { label: `■ ${e.id} (${e.outcome})` }, className: "rp-node rp-node-ending", style: { width: W }, selectable: false });
  }
  const edges: Edge[] = [];
  for (const t of m.turns) {
    edgesOf(t).forEach((e, i) => {
      if (!ids.has(e.to)) return; // a dangling id is listed as a problem
      edges.push({ id: `${t.id}-${i}-${e.to}`, source: t.id, target: e.to, label: e.label, markerEnd: { type: MarkerType.ArrowClosed } });
    });
  }
  nodes.forEach((n) => g.setNode(n.id, { width: W, height: H }));
  edges.forEach((e) => g.setEdge(e.source, e.target));
  dagre.layout(g);
  for (const n of nodes) {
    const p = g.node(n.id);
    n.position = { x: p.x - W / 2, y: p.y - H / 2 };
  }
  return { nodes, edges };
}

export default function RoleplayGraph({ model, problems, selected, onSelect }: {
  model: RoleplayModel; problems: Set<string>; selected: string; onSelect: (turnId: string) => void;
}) {
  const { nodes, edges } = useMemo(() => layout(model, problems, selected), [model, problems, selected]);
  const turnIds = useMemo(() => new Set(model.turns.map((t) => t.id)), [model]);
  return (
    <div className="rp-graph" data-testid="turn-graph" role="figure" aria-label="The turns as a graph (the list of turns says the same in text)">
      <ReactFlow nodes={nodes} edges={edges} fitView nodesDraggable={false} nodesConnectable={false}
        onNodeClick={(_, n) => { if (turnIds.has(n.id)) onSelect(n.id); }} proOptions={{ hideAttribution: true }}>
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
