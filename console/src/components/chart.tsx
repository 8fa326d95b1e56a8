import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  readonly label: string;
  readonly values: number[];
  readonly color: string;
}

/**
 * A time series chart (uPlot). Dragging over it selects a time range, handed to `onRange` in
 * milliseconds, so that a spike can be opened as the list of its events.
 */
export function Chart(props: {
  title: string;
  times: number[];
  series: ChartSeries[];
  onRange?: (fromMs: number, toMs: number) => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const onRange = useRef(props.onRange);
  onRange.current = props.onRange;
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const width = () => Math.max(280, element.clientWidth);
    const plot = new uPlot(
      {
        title: props.title,
        width: width(),
        height: 220,
        scales: { x: { time: true } },
        series: [
          {},
          ...props.series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 2,
            points: { show: false },
          })),
        ],
        axes: [{ stroke: 'currentColor' }, { stroke: 'currentColor' }],
        cursor: { drag: { x: true, y: false } },
        hooks: {
          setSelect: [
            (u: uPlot) => {
              if (u.select.width < 2 || !onRange.current) return;
              const from = u.posToVal(u.select.left, 'x');
              const to = u.posToVal(u.select.left + u.select.width, 'x');
              onRange.current(from * 1000, to * 1000);
            },
          ],
        },
      },
      [props.times.map((t) => t / 1000), ...props.series.map((s) => s.values)],
      element,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: width(), height: 220 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [props.title, props.times, props.series]);
  return <div class="chart" ref={host} role="img" aria-label={props.title} />;
}
