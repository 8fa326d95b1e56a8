import { Inject, Injectable } from '@nestjs/common';
import type { QueryResultRow } from 'pg';
import { ReadPool } from '../../database/read-pool.js';
import { BoundSql, type SqlExecutor } from '../../database/sql.js';
import { Clock } from '../../common/clock.js';
import { EventStatus } from '../entities/event-status.js';
import type { EventRow } from '../event-row.js';
import {
  CHEAP_COUNT,
  ESTIMATED_TOTAL_ABOVE,
  EXACT_TOTAL_LIMIT,
  INDEXED_MATCH_LIMIT,
  MAX_WALKED_EVENTS,
  WALKED_EVENTS_PER_ITEM,
  SORT_COLUMNS,
  type EventPage,
  type EventQuery,
  type SortOrder,
} from './event-query.js';
import { DescriptionTrigramsQuery } from './description-trigrams.query.js';
import { indexedTrigrams, keywordShare } from './keyword-trigrams.js';
import { KeywordTrigramsQuery } from './keyword-trigrams.query.js';
import { keywordSlicesStatement, RAREST_COUNTED, type KeywordSlice } from './keyword-slices.js';
import { SLICE_MS } from '../../database/migrations/sql/description-prefixes.js';
import { escapeLike } from '../../common/escape-like.js';
import { DESCRIPTION_KEYS, hourKey } from '../entities/description-keys.routine.js';
import { findEvent } from '../store/find-event.js';
import { encodePageCursor } from './page-cursor.js';
import {
  offsetAnchor,
  rollupDays,
  rollupDensity,
  rollupFilters,
  rollupTotal,
} from './rollup-page.js';
import { rollupSpan, rollupSpanStatement, type RollupSpan, type SpanEdge } from './rollup-span.js';
import type { ReadScope } from './read-scope.js';
import { DAY_KEY, ScopedWhere } from './scoped-where.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * The reads of SPEC §5. Every one starts from a ScopedWhere, so it sees one tenant's valid rows
 * (or, for an operator who asks, its soft-deleted ones too) and nothing else, and every one is
 * bounded by a LIMIT. Each filter is written so that an index of the migration serves it: the
 * (tenant_id, event_type, event_timestamp) index for by-type, the aggregate index for by-aggregate,
 * the GIN indexes for tags and data (`@>` is the operator both GIN opclasses support).
 */
@Injectable()
export class EventQueries {
  constructor(
    @Inject(ReadPool) private readonly db: SqlExecutor,
    private readonly clock: Clock,
    private readonly descriptionTrigrams: DescriptionTrigramsQuery,
    private readonly keywordTrigrams: KeywordTrigramsQuery,
  ) {}

  byEventId(scope: ReadScope, eventId: string): Promise<EventRow | undefined> {
    return findEvent(this.db, scope, eventId);
  }

  /** Newest first, within the last `days` days. */
  byType(scope: ReadScope, eventType: string, days: number, limit: number): Promise<EventRow[]> {
    const where = new ScopedWhere(scope)
      .and('event_type = ?', eventType)
      .and('event_timestamp >= ?', this.daysAgo(days));
    return this.select(
      `select * from ff_events ${where.sql} order by event_timestamp desc, id desc limit ?`,
      [...where.params, limit],
    );
  }

  /** Newest first, or in replay order (oldest first) with order asc. */
  byAggregate(
    scope: ReadScope,
    aggregateType: string,
    aggregateId: string,
    order: SortOrder,
    limit: number,
  ): Promise<EventRow[]> {
    const where = new ScopedWhere(scope)
      .and('aggregate_id = ?', aggregateId)
      .and('aggregate_type = ?', aggregateType);
    return this.select(
      `select * from ff_events ${where.sql}
       order by event_timestamp ${order}, id ${order} limit ?`,
      [...where.params, limit],
    );
  }

  /** Failed events whose next retry is due, the longest-waiting first (failedDueStatement). */
  failedDueForRetry(scope: ReadScope, limit: number): Promise<EventRow[]> {
    return this.selectStatement(failedDueStatement(scope, this.clock.now(), limit));
  }

  /**
   * One page, its total and the cursor of the next. pageSize + 1 rows are read to know whether a
   * next page exists.
   * - Filtered only by the rollups' columns (rollup-page.ts): the total is theirs, exact, and a
   *   pageIndex page sorted by event time starts at the hour its offset falls in.
   * - With tags, data or keyword: a first page may come from a walk of the newest events
   *   (walkedPage); otherwise from the matches their index finds (indexedPage).
   * - Bounded in time, its other filters the rollups' columns: the total is the rollups' for the
   *   whole hours inside the bounds, and the hours the bounds cut counted or estimated
   *   (rollup-span.ts); the page is read along the index of its sort.
   * - Otherwise the matches are counted, up to EXACT_TOTAL_LIMIT (see EventPage), and the page is
   *   read along the index of its sort.
   */
  async page(scope: ReadScope, query: EventQuery): Promise<EventPage<EventRow>> {
    const now = this.clock.now();
    const rollup = rollupFilters(scope, query);
    if (rollup) return this.rolledUpPage(scope, query, now, rollup);
    if (checkedFiltersOf(query)) {
      const base =
        query.sortField === 'eventTimestamp' && query.pageIndex === 1
          ? rollupFilters(scope, { ...query, tags: undefined, data: undefined, keyword: undefined })
          : undefined;
      const walked = base && (await this.walkedPage(scope, query, now, base));
      if (walked && 'items' in walked) return walked;
      const sliced = base && walked && (await this.slicedPage(scope, query, now, base));
      if (sliced) return sliced;
      const windowed = base && walked && (await this.windowedPage(scope, query, now, base, walked));
      return windowed ?? this.indexedPage(scope, query, now, base);
    }
    const span = rollupSpan(scope, query, now);
    const { total, totalIsExact } = span
      ? await this.spanTotal(scope, query, now, span)
      : await this.plannedTotal(scope, query, now);
    const page = pageStatement(scope, query, now);
    return this.assemble(query, await this.select(page.sql, page.params), total, totalIsExact);
  }

  private async rolledUpPage(
    scope: ReadScope,
    query: EventQuery,
    now: Date,
    rollup: Statement,
  ): Promise<EventPage<EventRow>> {
    const total = (await this.one<Matches>(rollupTotal(rollup)))?.matches ?? 0;
    const offset = (query.pageIndex - 1) * query.pageSize;
    let anchor: OffsetAnchor | undefined;
    if (offset > 0 && !query.cursor && query.sortField === 'eventTimestamp') {
      anchor = await this.one<OffsetAnchor>(offsetAnchor(rollup, query.sortOrder, offset));
      if (!anchor) return this.assemble(query, [], total, true);
    }
    const page = pageStatement(scope, query, now, anchor);
    return this.assemble(query, await this.select(page.sql, page.params), total, true);
  }

  /**
   * The page of a tags, data or keyword filter from the matches its GIN index finds, counted in
   * the same statement (indexedPageStatement): exact up to INDEXED_MATCH_LIMIT. Past that, a first
   * page (or a cursor's) of events sorted by time whose other filters the rollups carry (`base`)
   * comes from the days that hold matches (probedPage); any other is read along the index of its
   * sort, the filters checked row by row. The total is then an estimate, at least
   * INDEXED_MATCH_LIMIT + 1: the rollups' count of the other filters times the keyword's share
   * (keywordShare), or the planner's.
   *
   * Such a page of a keyword (without tags or data) whose trigrams say that more than
   * ESTIMATED_TOTAL_ABOVE match is not counted at all: it comes from probedPage, its total that
   * estimate. Each match counted is a visit to the heap, which at ten million events, not yet
   * cached, cost 25 ms for the first 100 matches of a two-digit keyword (a quarter of its page),
   * only to learn "more". The price: when the trigrams say many but few match (their shares are
   * the whole table's, and a trigram's rows need not hold the keyword), the total is that
   * estimate unless the page is the last (see assemble), where counting up to 100 was exact.
   */
  private async indexedPage(
    scope: ReadScope,
    query: EventQuery,
    now: Date,
    base?: Statement,
  ): Promise<EventPage<EventRow>> {
    const trigrams = await this.indexedTrigrams(query);
    const share =
      query.keyword === undefined
        ? undefined
        : keywordShare(trigrams, await this.descriptionTrigrams.shares());
    const expected =
      base && share !== undefined
        ? ((await this.one<Matches>(rollupTotal(base)))?.matches ?? 0) * share
        : undefined;
    // With tags or data besides, the keyword's share alone says nothing of how many match: counted.
    const uncounted = query.tags === undefined && query.data === undefined;
    if (base && uncounted && expected !== undefined && expected > ESTIMATED_TOTAL_ABOVE) {
      const rows = await this.probedPage(scope, query, now, base, trigrams);
      return this.assemble(query, rows, Math.round(expected), false);
    }
    const statement = indexedPageStatement(scope, query, now, trigrams, INDEXED_MATCH_LIMIT);
    const result = await new BoundSql(statement.sql).run<IndexedRow>(this.db, statement.params);
    const matches = result[0]?.matches ?? 0;
    if (matches <= INDEXED_MATCH_LIMIT) {
      const rows = result.filter((row) => row.id !== null);
      return this.assemble(query, rows, matches, true);
    }
    const rows = base
      ? await this.probedPage(scope, query, now, base, trigrams)
      : await this.selectStatement(pageStatement(scope, query, now, undefined, trigrams));
    const estimate = expected ?? (await this.expectedMatches(scope, query, now, trigrams));
    return this.assemble(
      query,
      rows,
      Math.max(Math.round(estimate), INDEXED_MATCH_LIMIT + 1),
      false,
    );
  }

  /**
   * The rows of a page (sorted by event time) of a filter more than the index path counts pass
   * (or, for a keyword, that its trigrams say many pass), too few of them among the newest for a
   * walk or the newest days: they lie further back,
   * together (a keyword of the order numbers of one week, in a store written as events arrive).
   * Walking the time index back to them visits every event between (850,000 for a keyword whose
   * 11,000 matches lie 77 days back at ten million events: seconds), and taking every match to
   * sort them visits each. Instead the days of the other filters (rollupDays, from the cursor's)
   * are asked which hold a match, in the page's order, in windows of PROBED_DAYS that double
   * (holdingSlices): a day without matches costs index pages, not its events. Each day that holds
   * some gives its rows (slicePage) until the page is full.
   */
  private async probedPage(
    scope: ReadScope,
    query: EventQuery,
    now: Date,
    base: Statement,
    trigrams: readonly string[],
  ): Promise<EventRow[]> {
    const statement = rollupDays(base, query.sortOrder, query.cursor?.value, MAX_PROBED_DAYS);
    const days = await new BoundSql(statement.sql).run<DayEvents>(this.db, statement.params);
    const wanted = query.pageSize + 1;
    const rows: EventRow[] = [];
    for (let at = 0, size = PROBED_DAYS; at < days.length; at += size, size *= 2) {
      const window = days.slice(at, at + size);
      const slices = window.map((day) => ({ day: day.day }));
      for await (const position of this.holdingSlices(scope, query, now, trigrams, slices)) {
        const { day, events } = window[position];
        rows.push(
          ...(await this.slicePage(
            scope,
            query,
            now,
            trigrams,
            { day },
            events,
            wanted - rows.length,
          )),
        );
        if (rows.length >= wanted) return rows;
      }
    }
    return rows;
  }

  /**
   * Up to `wanted` rows of a page from one day, or hour, that holds a match, of a day of
   * `dayEvents` events. A keyword's day is asked for its hours that hold one (the description
   * index keys hours too). Otherwise the slice's matches are sorted when they are few, and when
   * there are more than sqrt(wanted × the slice's events: an hour's, a day's 24th), the slice is
   * walked, as far as it goes: at least that dense, a walk finds the page within about as many
   * events as sorting would have visited matches.
   */
  private async slicePage(
    scope: ReadScope,
    query: EventQuery,
    now: Date,
    trigrams: readonly string[],
    slice: TimeSlice,
    dayEvents: number,
    wanted: number,
  ): Promise<EventRow[]> {
    if (slice.hour === undefined && query.keyword !== undefined) {
      const hours = Array.from({ length: 24 }, (_, at) => ({
        day: slice.day,
        hour: query.sortOrder === 'desc' ? 23 - at : at,
      }));
      const rows: EventRow[] = [];
      for await (const position of this.holdingSlices(scope, query, now, trigrams, hours, true)) {
        const left = wanted - rows.length;
        rows.push(
          ...(await this.slicePage(scope, query, now, trigrams, hours[position], dayEvents, left)),
        );
        if (rows.length >= wanted) break;
      }
      return rows;
    }
    const events = slice.hour === undefined ? dayEvents : dayEvents / 24;
    const limit = Math.ceil(Math.sqrt(wanted * events));
    const statement = windowedPageStatement(scope, query, now, trigrams, [slice], limit);
    const result = await new BoundSql(statement.sql).run<IndexedRow>(this.db, statement.params);
    if ((result[0]?.matches ?? 0) <= limit) {
      return result.filter((row) => row.id !== null).slice(0, wanted);
    }
    // To the slice's end, however many were written into it since the rollups were read: a walk
    // that stopped short of the page would skip its rest.
    const walk = walkStatement(scope, query, now, UNBOUNDED_WALK, true, rangeOf(slice));
    const walked = await new BoundSql(walk.sql).run<WalkedRow>(this.db, walk.params);
    return walked.filter((row) => row.id !== null).slice(0, wanted);
  }

  /**
   * The positions of the slices that hold a match past the cursor, in their order. A keyword's
   * slices are found by halving (anySliceHoldsStatement): one question for the slices of a range,
   * then for each half, the second half not asked when the first held none; a range that holds
   * none costs one question however many slices it spans (the 77 days before a keyword's
   * matches at ten million events were 77 index scans, each reading the index's pending list
   * again). `holds` when the caller knows the slices hold one. A tags or data filter's slices
   * (their GIN indexes key each day on its own, see ScopedWhere) are asked one test each, in one
   * statement (slicesHoldingStatement).
   */
  private async *holdingSlices(
    scope: ReadScope,
    query: EventQuery,
    now: Date,
    trigrams: readonly string[],
    slices: readonly TimeSlice[],
    holds = false,
  ): AsyncGenerator<number> {
    if (query.keyword === undefined) {
      const statement = slicesHoldingStatement(scope, query, now, trigrams, slices);
      const held = await new BoundSql(statement.sql).run<{ position: number }>(
        this.db,
        statement.params,
      );
      yield* held.map((row) => row.position);
      return;
    }
    yield* this.halving(scope, query, now, trigrams, slices, 0, slices.length, holds);
  }

  /** holdingSlices of a keyword, among slices[from, to): see there. */
  private async *halving(
    scope: ReadScope,
    query: EventQuery,
    now: Date,
    trigrams: readonly string[],
    slices: readonly TimeSlice[],
    from: number,
    to: number,
    holds: boolean,
  ): AsyncGenerator<number> {
    if (from >= to) return;
    if (!holds) {
      const statement = anySliceHoldsStatement(scope, query, now, trigrams, slices.slice(from, to));
      if (!(await this.one<{ holds: boolean }>(statement))?.holds) return;
    }
    if (to - from === 1) {
      yield from;
      return;
    }
    const middle = from + Math.ceil((to - from) / 2);
    let firstHeld = false;
    for await (const position of this.halving(
      scope,
      query,
      now,
      trigrams,
      slices,
      from,
      middle,
      false,
    )) {
      firstHeld = true;
      yield position;
    }
    // The range held one: when the first half held none (in its own snapshot), the second does.
    yield* this.halving(scope, query, now, trigrams, slices, middle, to, !firstHeld);
  }

  /**
   * The first page (or a cursor's), sorted by event time, of a keyword alone (no tags or data; the
   * other filters the rollups' columns) that the walk of the newest events found too few of: from
   * the slices that hold its word starts (slicedRows), before the newest days' window
   * (windowedPage), which asks the description index for days that may hold none. Its matches lie
   * further back: sorting them from the description index visits every row holding its trigrams
   * (5,264 for "onboarding 119" at ten million events, for 1,112 matches: 306 ms cold); the walks
   * read about as many events as lie between the end of the newest such slice and the page's
   * last match.
   *
   * The total, on a full first page whose keyword's word starts are in no more than
   * COUNTED_SLICES slices: their matches, counted through the description index asked for the
   * keyword's trigrams and those slices' hours alone, exact up to EXACT_TOTAL_LIMIT. Otherwise an
   * estimate (totalIsExact false): the slices of the keyword's rarest word start, times the events
   * a slice of the other filters holds on average (the rollups' count over their days, at least
   * one), times the share of the walked events that matched (a slice walked to its end taken to
   * hold that average). The keyword's trigram shares, taken as independent, say far too few for a
   * keyword whose rare trigrams go together ("777" and " 77" of "onboarding 777"). A last page is
   * exact (assemble). Undefined when the keyword has no word start after its first word, or
   * slicedRows gave up: the newest days' window, or the description index, then.
   */
  private async slicedPage(
    scope: ReadScope,
    query: EventQuery,
    now: Date,
    base: Statement,
  ): Promise<EventPage<EventRow> | undefined> {
    if (query.keyword === undefined || query.tags !== undefined || query.data !== undefined) {
      return undefined;
    }
    const found = await this.slicedRows(scope, query, now, query.keyword);
    if (!found) return undefined;
    // A first page that is not full is the last: assemble makes its total exact, no estimate.
    if (!query.cursor && found.rows.length <= query.pageSize) {
      return this.assemble(query, found.rows, found.rows.length, true);
    }
    if (found.every && !query.cursor && found.slices.length <= COUNTED_SLICES) {
      const hours = [...new Set(found.slices.map((slice) => Math.floor(slice / HOUR_MS)))];
      const within = hours.map((hour) => {
        const at = new Date(hour * HOUR_MS).toISOString();
        return { day: at.slice(0, 10), hour: Number(at.slice(11, 13)) };
      });
      const where = keywordWithin(scope, query, now, await this.indexedTrigrams(query), within);
      const counted = (await this.one<Matches>(boundedCount(where, EXACT_TOTAL_LIMIT)))?.matches;
      if (counted !== undefined && counted <= EXACT_TOTAL_LIMIT) {
        return this.assemble(query, found.rows, counted, true);
      }
    }
    const density = await this.one<Matches & { days: number }>(rollupDensity(base));
    // A slice that holds a word start holds an event, however sparse the tenant's slices are.
    const average = (density?.matches ?? 0) / Math.max(1, (density?.days ?? 0) * SLICES_PER_DAY);
    const perSlice = Math.max(1, average);
    const walked = found.walked * perSlice + found.lastWalk;
    const share = Math.min(1, found.rows.length / Math.max(1, walked));
    return this.assemble(query, found.rows, Math.round(found.held * perSlice * share), false);
  }

  /**
   * Up to pageSize + 1 rows of a keyword's page sorted by event time, from the slices that hold its
   * word starts (keywordSlicesStatement), past the cursor: each walked in the page's order
   * (walkStatement), the keyword and the other filters checked row by row, until the page is full
   * or no slice is left (SlicedRows). Undefined when the keyword has no word start, or its rarest
   * is in RAREST_COUNTED slices or more, or when its first SLICED_WALKS slices, or one slice's
   * first MAX_WALKED_EVENTS events, did not fill the page: its word starts are then far commoner
   * than it is, and the description index's trigrams may narrow it more.
   */
  private async slicedRows(
    scope: ReadScope,
    query: EventQuery,
    now: Date,
    keyword: string,
  ): Promise<SlicedRows | undefined> {
    const wanted = query.pageSize + 1;
    // Its other filters being the rollups' columns, the page is bounded in time by its cursor only.
    const cursor = query.cursor ? [query.cursor.value] : [];
    const desc = query.sortOrder === 'desc';
    const statement = keywordSlicesStatement(
      scope.tenantId,
      keyword,
      query.sortOrder,
      desc ? [] : cursor,
      desc ? cursor : [],
      SLICED_WALKS,
    );
    const found = await new BoundSql(statement.sql).run<KeywordSlice>(this.db, statement.params);
    const held = found[0]?.held ?? 0;
    // No word start, or only word starts of RAREST_COUNTED slices or more: none narrows it.
    if ((found[0]?.keys ?? 0) === 0 || held >= RAREST_COUNTED) return undefined;
    const slices = found.flatMap((row) => (row.slice === null ? [] : [row.slice]));
    const every = slices.length < SLICED_WALKS;
    const rows: EventRow[] = [];
    for (const [walked, slice] of slices.entries()) {
      const range = { from: new Date(slice), to: new Date(slice + SLICE_MS) };
      const walk = walkStatement(
        scope,
        query,
        now,
        MAX_WALKED_EVENTS,
        true,
        range,
        wanted - rows.length,
      );
      const result = await new BoundSql(walk.sql).run<WalkedRow>(this.db, walk.params);
      rows.push(...result.filter((row) => row.id !== null));
      const lastWalk = result[0]?.walk_rows ?? 0;
      if (rows.length >= wanted) return { rows, slices, every, held, walked, lastWalk };
      if (lastWalk >= MAX_WALKED_EVENTS) return undefined;
    }
    return every ? { rows, slices, every, held, walked: slices.length, lastWalk: 0 } : undefined;
  }

  /**
   * The first page (or a cursor's) of a tags, data or keyword filter the walks found too few of,
   * from the matches of its newest days (oldest, sorted asc) alone (windowedPageStatement): taking
   * every match to sort them visits each in the heap, 1,700 visits at ten million events for a
   * filter one in 580 events passes. The days, from the cursor's, and their events come from the
   * rollups of the other filters: first those that hold WINDOWS[0].events of them (at most
   * WINDOWS[0].days days), and when their matches do not fill the page, the next ones up to
   * WINDOWS[1], unless the share of matches the first found says they would not fill it either.
   * The total is the rollups' count of the other filters times the share of the
   * window's events that matched: over EXACT_TOTAL_LIMIT that estimate, under it counted (as for a
   * walked page), and exact when the window held every day. Undefined when the windows held too
   * few matches, or more than INDEXED_MATCH_LIMIT, or every day fits the first, or the walk's
   * share says too few match for the windows to pay: the index is then asked for every match
   * (indexedPage).
   */
  private async windowedPage(
    scope: ReadScope,
    query: EventQuery,
    now: Date,
    base: Statement,
    walk: Walk,
  ): Promise<EventPage<EventRow> | undefined> {
    const others = (await this.one<Matches>(rollupTotal(base)))?.matches ?? 0;
    // As many matches as the walk's share, one more match included, says at most: when that is
    // few enough to be counted, the index's every match costs no more than the count would.
    if ((others * (walk.matched + 1)) / walk.walked <= EXACT_TOTAL_LIMIT) return undefined;
    const limit = WINDOWS.reduce((sum, window) => sum + window.days, 0);
    const statement = rollupDays(base, query.sortOrder, query.cursor?.value, limit + 1);
    const days = await new BoundSql(statement.sql).run<DayEvents>(this.db, statement.params);
    const few = days.length <= WINDOWS[0].days;
    if (few && days.reduce((sum, day) => sum + day.events, 0) <= WINDOWS[0].events)
      return undefined;
    const windows = windowsOf(days);
    const trigrams = await this.indexedTrigrams(query);
    const rows: EventRow[] = [];
    let events = 0;
    let matched = 0;
    let queried = 0;
    for (const window of windows) {
      // A window whose share of matches, as the windows before found it, would not fill the page:
      // the index's every match costs less than its days would (each day reads the index).
      if (events > 0 && rows.length + (matched * window.events) / events <= query.pageSize) {
        return undefined;
      }
      const page = windowedPageStatement(scope, query, now, trigrams, window.days);
      const result = await new BoundSql(page.sql).run<IndexedRow>(this.db, page.params);
      const windowMatches = result[0]?.matches ?? 0;
      // Past the cap the matches taken are some of the days' (in the order the index gives them),
      // not the newest: the page could skip events.
      if (windowMatches > INDEXED_MATCH_LIMIT) return undefined;
      matched += windowMatches;
      events += window.events;
      queried += window.days.length;
      // The window's days follow the previous window's in the page's order: so do their rows.
      rows.push(...result.filter((row) => row.id !== null));
      if (rows.length > query.pageSize) break;
    }
    if (rows.length <= query.pageSize) return undefined;
    if (queried === days.length && !query.cursor) return this.assemble(query, rows, matched, true);
    const estimate = Math.max(matched, Math.round((others * matched) / Math.max(1, events)));
    return estimate > EXACT_TOTAL_LIMIT
      ? this.assemble(query, rows, estimate, false)
      : this.countedPage(scope, query, now, rows, estimate);
  }

  /**
   * The first page (or a cursor's) of a tags, data or keyword filter whose other filters the
   * rollups count, from walks of the events in the page's order that check those filters row by
   * row (walkStatement), each stopping at a page's worth of matches. The first walks
   * WALKED_EVENTS_PER_ITEM events per item. When it found some matches but too few, their share
   * tells how far a page lies, and one walk that far follows if that is within MAX_WALKED_EVENTS.
   * The total of a walked page is the rollups' count of the other filters times the share that
   * passed: over EXACT_TOTAL_LIMIT, that estimate (totalIsExact false); under it, counted; and
   * when the other filters have no more events than the first walk takes, those are walked whole
   * and the total is exact. When no walk found a page, that walk: its share tells windowedPage
   * whether the filter is rare enough for the index to find its every match.
   */
  private async walkedPage(
    scope: ReadScope,
    query: EventQuery,
    now: Date,
    base: Statement,
  ): Promise<EventPage<EventRow> | Walk> {
    const wanted = query.pageSize + 1;
    const first = Math.min(MAX_WALKED_EVENTS, WALKED_EVENTS_PER_ITEM * wanted);
    let walk = await this.walk(scope, query, now, first, true);
    if (walk.outcome === 'short' && walk.matched > 0) {
      const reach = Math.ceil((wanted * walk.walked) / walk.matched);
      if (reach <= MAX_WALKED_EVENTS) {
        walk = await this.walk(scope, query, now, Math.min(MAX_WALKED_EVENTS, 2 * reach), true);
      }
    }
    if (walk.outcome === 'short') return walk;
    if (walk.outcome === 'page') {
      const others = (await this.one<Matches>(rollupTotal(base)))?.matches ?? 0;
      if (others > first) {
        const estimate = Math.round(others * walk.share);
        return estimate > EXACT_TOTAL_LIMIT
          ? this.assemble(query, walk.rows, estimate, false)
          : this.countedPage(scope, query, now, walk.rows, estimate);
      }
      walk = await this.walk(scope, query, now, first, false);
    }
    // Past the end of a cursor's walk too few events are left to tell the share: counted.
    return walk.outcome === 'everything' && !query.cursor
      ? this.assemble(query, walk.rows, walk.matched, true)
      : this.countedPage(scope, query, now, walk.rows);
  }

  /** One walkStatement of at most `budget` events, stopping at a page's worth of matches or not. */
  private async walk(
    scope: ReadScope,
    query: EventQuery,
    now: Date,
    budget: number,
    stopAtPage: boolean,
  ): Promise<Walk> {
    const statement = walkStatement(scope, query, now, budget, stopAtPage);
    const result = await new BoundSql(statement.sql).run<WalkedRow>(this.db, statement.params);
    const walked = result[0]?.walk_rows ?? 0;
    const matched = result[0]?.walk_matches ?? 0;
    const rows = result.filter((row) => row.id !== null);
    if (matched >= query.pageSize + 1 && (stopAtPage || walked === budget)) {
      // A walk that stopped at its k-th match, the walked-th event: (k - 1) / (walked - 1) is the
      // unbiased share. A walk of a fixed number of events: matched / walked.
      const share = stopAtPage ? (matched - 1) / Math.max(1, walked - 1) : matched / walked;
      return { outcome: 'page', rows, walked, matched, share };
    }
    if (walked < budget) return { outcome: 'everything', rows, walked, matched, share: 1 };
    return { outcome: 'short', rows, walked, matched, share: matched / walked };
  }

  /** A walked page's rows with its matches counted up to EXACT_TOTAL_LIMIT (see countedTotal). */
  private async countedPage(
    scope: ReadScope,
    query: EventQuery,
    now: Date,
    rows: EventRow[],
    expected?: number,
  ): Promise<EventPage<EventRow>> {
    const trigrams = await this.indexedTrigrams(query);
    const { total, totalIsExact } = await this.countedTotal(
      scope,
      query,
      now,
      trigrams,
      EXACT_TOTAL_LIMIT,
      expected,
    );
    return this.assemble(query, rows, total, totalIsExact);
  }

  /**
   * The total of a page bounded in time whose other filters the rollups carry (rollup-span.ts):
   * the whole hours' events from the rollups, exact, and the edges' (the parts of the hours the
   * bounds cut) counted when their buckets, in proportion, say at most CHEAP_COUNT: the count
   * visits each in the heap. Past that, the edges' share of their buckets, totalIsExact false.
   */
  private async spanTotal(
    scope: ReadScope,
    query: EventQuery,
    now: Date,
    span: RollupSpan,
  ): Promise<Total> {
    const rollup = await this.one<SpanRow>(rollupSpanStatement(span));
    const whole = rollup?.whole ?? 0;
    if (span.edges.length === 0) return { total: whole, totalIsExact: true };
    const expected = span.edges.reduce(
      (sum, edge, at) => sum + (rollup?.edges[at] ?? 0) * edge.share,
      0,
    );
    if (expected > CHEAP_COUNT) return { total: whole + Math.round(expected), totalIsExact: false };
    // Up to EXACT_TOTAL_LIMIT: the edges hold about `expected`, unless their events came in a
    // burst at the other end of their hours (300 in the minutes a bound leaves out, or in).
    const edges = edgeCountStatement(scope, query, now, span.edges, EXACT_TOTAL_LIMIT);
    const counted = (await this.one<Matches>(edges))?.matches ?? 0;
    if (counted <= EXACT_TOTAL_LIMIT) return { total: whole + counted, totalIsExact: true };
    return { total: whole + counted, totalIsExact: false };
  }

  /**
   * The total of a page whose filters btree indexes serve but the rollups do not carry. A count
   * visits every match in the heap (while the table is being written its pages are not
   * all-visible, and a first visit sets hint bits too): 1,001 visits for a page of a large set.
   * So PostgreSQL's planner says first how many it expects (EXPLAIN: no rows read): when that is
   * over ESTIMATED_TOTAL_ABOVE only up to CHEAP_COUNT are counted, otherwise up to
   * EXACT_TOTAL_LIMIT (see countedTotal).
   */
  private async plannedTotal(scope: ReadScope, query: EventQuery, now: Date): Promise<Total> {
    const expected = await this.expectedMatches(scope, query, now, []);
    const limit = expected > ESTIMATED_TOTAL_ABOVE ? CHEAP_COUNT : EXACT_TOTAL_LIMIT;
    return this.countedTotal(scope, query, now, [], limit, expected);
  }

  /**
   * The matches counted up to `limit`: exact when no more match. Past it, an estimate of how many
   * (`expected`, or the planner's), never less than limit + 1: totalIsExact false.
   */
  private async countedTotal(
    scope: ReadScope,
    query: EventQuery,
    now: Date,
    trigrams: readonly string[],
    limit: number,
    expected?: number,
  ): Promise<Total> {
    const statement = countStatement(scope, query, now, trigrams, limit);
    const matches = (await this.one<Matches>(statement))?.matches ?? 0;
    if (matches <= limit) return { total: matches, totalIsExact: true };
    const estimate = expected ?? (await this.expectedMatches(scope, query, now, trigrams));
    return { total: Math.max(estimate, limit + 1), totalIsExact: false };
  }

  /** How many matches the planner expects (estimateStatement). */
  private async expectedMatches(
    scope: ReadScope,
    query: EventQuery,
    now: Date,
    trigrams: readonly string[],
  ): Promise<number> {
    const estimate = estimateStatement(scope, query, now, trigrams);
    const [plan] = await new BoundSql(estimate.sql).run<PlannedRows>(this.db, estimate.params);
    return Math.round(plan?.['QUERY PLAN'][0]?.Plan['Plan Rows'] ?? 0);
  }

  /**
   * The page, its total and the next page's cursor. A page read from an offset (not a cursor)
   * with no page after it holds the last of the matches, so its offset and items are the total,
   * exact, whatever was estimated (an estimate from the rollups' share of an hour is far off when
   * the hour's events came in a burst); an estimate is never less than what the page shows.
   */
  private assemble(
    query: EventQuery,
    rows: EventRow[],
    estimatedTotal: number,
    estimateIsExact: boolean,
  ): EventPage<EventRow> {
    const offset = query.cursor ? undefined : (query.pageIndex - 1) * query.pageSize;
    const isLastPage = offset !== undefined && rows.length <= query.pageSize;
    const totalShown = isLastPage && (rows.length > 0 || offset === 0);
    const total = totalShown
      ? offset + rows.length
      : Math.max(estimatedTotal, estimateIsExact ? 0 : (offset ?? 0) + rows.length);
    const totalIsExact = totalShown || estimateIsExact;
    const items = rows.slice(0, query.pageSize);
    const lastItem = items[items.length - 1];
    const column = SORT_COLUMNS[query.sortField];
    return {
      items,
      total,
      totalIsExact,
      pageIndex: query.pageIndex,
      pageSize: query.pageSize,
      totalPages: Math.ceil(total / query.pageSize),
      nextCursor:
        rows.length > query.pageSize && lastItem
          ? encodePageCursor({
              sortField: query.sortField,
              sortOrder: query.sortOrder,
              value: String((lastItem as unknown as Record<string, unknown>)[`sort_${column}`]),
              id: lastItem.id,
            })
          : null,
    };
  }

  /** The keyword's trigrams to ask the description index for (keyword-trigrams.ts). */
  private async indexedTrigrams(query: EventQuery): Promise<string[]> {
    if (query.keyword === undefined) return [];
    const [trigrams, shares] = await Promise.all([
      this.keywordTrigrams.of(query.keyword),
      this.descriptionTrigrams.shares(),
    ]);
    return indexedTrigrams(trigrams, shares);
  }

  private async one<R extends QueryResultRow>(statement: Statement): Promise<R | undefined> {
    const [row] = await new BoundSql(statement.sql).run<R>(this.db, statement.params);
    return row;
  }

  private daysAgo(days: number): Date {
    return daysBefore(this.clock.now(), days);
  }

  private selectStatement(statement: Statement): Promise<EventRow[]> {
    return this.select(statement.sql, statement.params);
  }

  private select(sql: string, params: unknown[]): Promise<EventRow[]> {
    return new BoundSql(sql).run<EventRow>(this.db, params);
  }
}

export interface Statement {
  readonly sql: string;
  readonly params: unknown[];
}

type Matches = { matches: number };

type Total = { total: number; totalIsExact: boolean };

/** What EXPLAIN (FORMAT JSON) answers: the plan, with the rows it expects. */
type PlannedRows = { 'QUERY PLAN': { Plan: { 'Plan Rows': number } }[] };

/** A UTC day (YYYY-MM-DD) of rollupDays and its events. */
type DayEvents = { day: string; events: number };

/** A walk bounded by its slice of time alone. */
const UNBOUNDED_WALK = Number.MAX_SAFE_INTEGER;

/** The most slices slicedRows walks for a page before it leaves the page to the index. */
const SLICED_WALKS = 32;

/**
 * A keyword page from slices (slicedPage) counts its matches when its word starts are in no
 * more of them than this: a few hours' rows holding its trigrams, at most EXACT_TOTAL_LIMIT + 1
 * visited however many there are.
 */
const COUNTED_SLICES = 8;

/** probedPage's first window of days, each next one twice as many. */
const PROBED_DAYS = 8;

/** The most days probedPage asks the rollups for: over 27 years of events. */
const MAX_PROBED_DAYS = 10_000;

/**
 * The windows of windowedPage, in the page's order of days: each takes days until the windows so
 * far hold `events` events of the other filters, at most `days` of them: the first about two days
 * of a tenant's million events, both together 16 days or 160,000 events.
 */
const WINDOWS = [
  { events: 20_000, days: 4 },
  { events: 160_000, days: 12 },
] as const;

/** The days of each of WINDOWS, with their events, from rollupDays' days in the page's order. */
function windowsOf(days: readonly DayEvents[]): { days: string[]; events: number }[] {
  const windows: { days: string[]; events: number }[] = [];
  let taken = 0;
  let events = 0;
  for (const window of WINDOWS) {
    const first = taken;
    const before = events;
    while (taken < Math.min(days.length, first + window.days)) {
      events += days[taken].events;
      taken += 1;
      if (events >= window.events) break;
    }
    if (taken === first) break;
    windows.push({ days: days.slice(first, taken).map((day) => day.day), events: events - before });
  }
  return windows;
}

/** What slicedRows found. */
interface SlicedRows {
  readonly rows: EventRow[];
  /** The slices found past the cursor (their first instants, ms), in the page's order. */
  readonly slices: number[];
  /** Whether those are every one past the cursor. */
  readonly every: boolean;
  /** The slices of the keyword's rarest word start (KeywordSlice). */
  readonly held: number;
  /** The slices walked to their end. */
  readonly walked: number;
  /** The events of the slice after those that the last walk went through, to its match. */
  readonly lastWalk: number;
}

/** Slices in a UTC day. */
const SLICES_PER_DAY = DAY_MS / SLICE_MS;

/** A row of indexedPageStatement: a page row, or (id null) only the count. */
type IndexedRow = EventRow & { matches: number };

/** A row of walkStatement: a page row, or (id null) only the walk's counts. */
type WalkedRow = EventRow & { walk_rows: number; walk_matches: number };

/**
 * What a walk found: a page (and the share of walked events that passed), every event there was
 * (so `matched` is all that match), or too few matches in its events to fill a page.
 */
interface Walk {
  readonly outcome: 'page' | 'everything' | 'short';
  readonly rows: EventRow[];
  readonly walked: number;
  readonly matched: number;
  readonly share: number;
}

/** rollupSpanStatement's row: the whole hours' events, and each edge's hour bucket's. */
interface SpanRow {
  readonly whole: number;
  readonly edges: number[];
}

/** Where a pageIndex page starts: the hour of its first event and the events before that hour. */
export type OffsetAnchor = {
  readonly hour: Date;
  readonly before: number;
};

/**
 * The filters of a paged query, every one written so that an index serves it; `trigrams` are the
 * keyword's trigrams to ask the description index for (indexedTrigrams).
 */
function filtersOf(
  scope: ReadScope,
  query: EventQuery,
  now: Date,
  trigrams: readonly string[],
  slice?: TimeSlice,
): ScopedWhere {
  const where = baseFiltersOf(scope, query, now, slice?.day);
  const checked = checkedFiltersOf(query, { tenantId: scope.tenantId, trigrams, ...slice });
  return checked ? where.and(checked.sql, ...checked.params) : where;
}

/**
 * The keys of idx_ff_events_description_keys (ff_description_keys) a keyword asks for: the
 * tenant's trigrams, and with `day`, the tenant's day, or with `hour` too, that hour of it; or
 * with `within`, any of those slices' keys.
 */
interface DescriptionKeys {
  readonly tenantId: string;
  readonly trigrams: readonly string[];
  readonly day?: string;
  readonly hour?: number;
  /** Instead of day and hour: any of these slices. */
  readonly within?: readonly TimeSlice[];
}

/** A UTC day (YYYY-MM-DD) or, with `hour` (0 to 23), one hour of it. */
export interface TimeSlice {
  readonly day: string;
  readonly hour?: number;
}

/** The instants from `from` on, before `to`. */
export interface TimeRange {
  readonly from: Date;
  readonly to: Date;
}

/** The instants of a TimeSlice. */
function rangeOf(slice: TimeSlice): TimeRange {
  const from = Date.parse(`${slice.day}T00:00:00Z`) + (slice.hour ?? 0) * HOUR_MS;
  return {
    from: new Date(from),
    to: new Date(from + (slice.hour === undefined ? DAY_MS : HOUR_MS)),
  };
}

/** Every filter but tags, data and keyword: those a btree index serves (of one day, see ScopedWhere). */
function baseFiltersOf(scope: ReadScope, query: EventQuery, now: Date, day?: string): ScopedWhere {
  const where = new ScopedWhere(scope, day)
    .andIf(query.eventId, 'event_id = ?')
    .andIf(query.eventType, 'event_type = ?')
    .andIf(query.eventStatus, 'event_status = ?')
    .andIf(query.eventSource, 'event_source = ?')
    .andIf(query.aggregateId, 'aggregate_id = ?')
    .andIf(query.aggregateType, 'aggregate_type = ?')
    .andIf(query.relatedEntityId, 'related_entity_id = ?')
    .andIf(query.relatedEntityType, 'related_entity_type = ?')
    .andIf(query.startDate, 'event_timestamp >= ?')
    .andIf(query.endDate, 'event_timestamp <= ?')
    .andIf(query.days, 'event_timestamp >= ?', (days) => daysBefore(now, days));
  // Without a parameter, so that the planner sees the predicate of the retry index
  // (AddRetryPageIndex_20261204) whatever plan it makes.
  if (query.requiresRetry !== undefined) {
    where.and(query.requiresRetry ? 'requires_retry' : 'not requires_retry');
  }
  return where;
}

/**
 * Tags, data and keyword: served by GIN indexes, which find every match before the first can be
 * returned, or checked row by row along another index. Undefined when none is given. With `keys`,
 * the description index is asked for the descriptions holding them, and the keyword is checked
 * on the rows it finds.
 */
function checkedFiltersOf(query: EventQuery, keys?: DescriptionKeys): Statement | undefined {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (query.tags !== undefined) {
    clauses.push('event_tags @> ?::jsonb');
    params.push(JSON.stringify(query.tags));
  }
  if (query.data !== undefined) {
    clauses.push('event_data @> ?::jsonb');
    params.push(JSON.stringify(query.data));
  }
  if (query.keyword !== undefined && keys?.within !== undefined) {
    // Two conditions of one GIN scan: it advances the slices' lists only to the rows the
    // trigrams' lists hold, and stops when those run out.
    if (keys.trigrams.length > 0) {
      clauses.push(`${DESCRIPTION_KEYS} @> ?::text[]`);
      params.push(keys.trigrams.map((trigram) => `${keys.tenantId}/${trigram}`));
    }
    const sliceKeys = keys.within.map((slice) =>
      slice.hour === undefined ? `(${DAY_KEY} || '/')` : hourKey(DAY_KEY, '?'),
    );
    clauses.push(`${DESCRIPTION_KEYS} && array[${sliceKeys.join(', ')}]`);
    for (const slice of keys.within) {
      params.push(keys.tenantId, slice.day, ...(slice.hour === undefined ? [] : [slice.hour]));
    }
  } else if (query.keyword !== undefined && keys?.day !== undefined && keys.hour !== undefined) {
    clauses.push(`${DESCRIPTION_KEYS} @> (?::text[] || ${hourKey(DAY_KEY, '?')})`);
    params.push(keys.trigrams.map((trigram) => `${keys.tenantId}/${trigram}`));
    params.push(keys.tenantId, keys.day, keys.hour);
  } else if (query.keyword !== undefined && keys?.day !== undefined) {
    clauses.push(`${DESCRIPTION_KEYS} @> (?::text[] || (${DAY_KEY} || '/'))`);
    params.push(keys.trigrams.map((trigram) => `${keys.tenantId}/${trigram}`));
    params.push(keys.tenantId, keys.day);
  } else if (query.keyword !== undefined && keys && keys.trigrams.length > 0) {
    clauses.push(`${DESCRIPTION_KEYS} @> ?::text[]`);
    params.push(keys.trigrams.map((trigram) => `${keys.tenantId}/${trigram}`));
  }
  if (query.keyword !== undefined) {
    clauses.push('event_description ilike ?');
    params.push(`%${escapeLike(query.keyword)}%`);
  }
  return clauses.length === 0 ? undefined : { sql: clauses.join(' and '), params };
}

/**
 * The events of the other filters from the page's start (the cursor), in the page's order of
 * event time along the tenant's time index, each checked against tags, data and keyword: at most
 * `budget` of them, and with `stopAtPage`, no more than it takes to find pageSize + 1 that pass.
 * Its cost is the events walked (index entries and heap visits), however many there are or match.
 * One statement, so that the page and the counts are of one snapshot: each row is a page row
 * (pageSize + 1 at most) with walk_rows (the position of the last event the walk returned: the
 * budget-th, returned whatever it holds, when the walk went that far) and walk_matches, or, when
 * none passed, a single row of just those two.
 */
export function walkStatement(
  scope: ReadScope,
  query: EventQuery,
  now: Date,
  budget: number,
  stopAtPage: boolean,
  range?: TimeRange,
  wanted = query.pageSize + 1,
): Statement {
  const where = baseFiltersOf(scope, query, now);
  if (range) {
    // As ms since 1970: an ISO string of a year past 9999 is one PostgreSQL does not read.
    where.and(
      'event_timestamp >= to_timestamp(?::float8 / 1000) and event_timestamp < to_timestamp(?::float8 / 1000)',
      range.from.getTime(),
      range.to.getTime(),
    );
  }
  const checked = checkedFiltersOf(query) ?? { sql: 'true', params: [] };
  const order = query.sortOrder;
  afterCursor(where, query, 'event_timestamp');
  // The outer LIMIT stops the scan below it once it has as many rows: the matches of a page, or
  // the budget-th event, which tells that the walk went that far. row_number() over the index's
  // own order adds no sort.
  return {
    sql: `with walked as materialized (
            select id, event_timestamp, matches, position from (
              select id, event_timestamp, (${checked.sql}) as matches,
                row_number() over (order by event_timestamp ${order}, id ${order}) as position
              from ff_events ${where.sql}
              order by event_timestamp ${order}, id ${order} limit ?
            ) as walk
            where matches or position = ?
            limit ?
          ), counts as (
            select coalesce(max(position), 0)::int as walk_rows,
              (count(*) filter (where matches))::int as walk_matches
            from walked
          ), page as (
            select id, event_timestamp from walked where matches
            order by event_timestamp ${order}, id ${order} limit ?
          )
          select counts.*, e.*, e.event_timestamp::text as sort_event_timestamp
          from counts
          left join page on true
          left join ff_events as e on e.id = page.id
          order by page.event_timestamp ${order}, page.id ${order}`,
    params: [
      ...checked.params,
      ...where.params,
      budget,
      budget,
      stopAtPage ? wanted : budget,
      wanted,
    ],
  };
}

/**
 * At most `limit` of the tenant's failures due for a retry at `now`, the longest-waiting first,
 * ties by id. The status and `requires_retry` are written out, not parameters, so that the planner
 * sees the predicate of idx_ff_events_tenant_failed_due (AddFailedListIndex_20261206), whose order
 * is this one's: the list reads its rows and stops, however many failures wait.
 */
export function failedDueStatement(scope: ReadScope, now: Date, limit: number): Statement {
  const where = new ScopedWhere(scope)
    .and(`event_status = '${EventStatus.Failed}'`)
    .and('requires_retry')
    .and('next_retry_at <= ?', now);
  return {
    sql: `select * from ff_events ${where.sql} order by next_retry_at, id limit ?`,
    params: [...where.params, limit],
  };
}

/** Keyset paging: only rows past the cursor's (sort value, id) in the page's order. */
function afterCursor(where: ScopedWhere, query: EventQuery, column: string): void {
  if (!query.cursor) return;
  const comparison = query.sortOrder === 'desc' ? '<' : '>';
  where.and(`(${column}, id) ${comparison} (?, ?::bigint)`, query.cursor.value, query.cursor.id);
}

/** Counts the matches, at most `limit` + 1 of them: a bounded cost. */
export function countStatement(
  scope: ReadScope,
  query: EventQuery,
  now: Date,
  trigrams: readonly string[] = [],
  limit = EXACT_TOTAL_LIMIT,
): Statement {
  return boundedCount(filtersOf(scope, query, now, trigrams), limit);
}

/** The rows of ff_events `where` holds, counted up to `limit` + 1. */
function boundedCount(where: ScopedWhere, limit: number): Statement {
  return {
    sql: `select count(*)::int as matches from (
            select 1 from ff_events ${where.sql} limit ?) as bounded`,
    params: [...where.params, limit + 1],
  };
}

/**
 * Counts the matches in the edges of a span (rollup-span.ts), at most `limit` + 1: the query's
 * filters but its time bounds, which the edges replace.
 */
export function edgeCountStatement(
  scope: ReadScope,
  query: EventQuery,
  now: Date,
  edges: readonly SpanEdge[],
  limit: number,
): Statement {
  const untimed = { ...query, startDate: undefined, endDate: undefined, days: undefined };
  const where = baseFiltersOf(scope, untimed, now).and(
    `(${edges
      .map((edge) => `(event_timestamp >= ? and event_timestamp ${edge.toIncluded ? '<=' : '<'} ?)`)
      .join(' or ')})`,
    ...edges.flatMap((edge) => [edge.from, edge.to]),
  );
  return boundedCount(where, limit);
}

/** How many matches the planner expects, from its statistics: EXPLAIN reads no rows. */
export function estimateStatement(
  scope: ReadScope,
  query: EventQuery,
  now: Date,
  trigrams: readonly string[] = [],
): Statement {
  const where = filtersOf(scope, query, now, trigrams);
  return {
    sql: `explain (format json) select 1 from ff_events ${where.sql}`,
    params: where.params,
  };
}

/**
 * A page read in the sort's order, ties broken by id, from the cursor when there is one ((sort,
 * id) past the cursor's: constant cost however deep) or from pageIndex's offset (bounded by
 * MAX_OFFSET), along the index of the sort: sorted by event time, the tenant's time index finds
 * the first page at once whatever matches. Exported, as the other statements, for tests to EXPLAIN.
 */
export function pageStatement(
  scope: ReadScope,
  query: EventQuery,
  now: Date,
  anchor?: OffsetAnchor,
  trigrams: readonly string[] = [],
): Statement {
  const where = filtersOf(scope, query, now, trigrams);
  const column = SORT_COLUMNS[query.sortField];
  const order = query.sortOrder;
  afterCursor(where, query, column);
  // The anchor's hour and every hour before it in the page's order: the events it skips are
  // only those of the anchor's hour, the ones of the hours before having been counted.
  if (anchor && order === 'desc') {
    where.and(`event_timestamp < ?::timestamptz + interval '1 hour'`, anchor.hour);
  } else if (anchor) {
    where.and('event_timestamp >= ?', anchor.hour);
  }
  // id breaks ties so that rows never move between pages of the same query.
  const orderBy = column === 'id' ? `id ${order}` : `${column} ${order}, id ${order}`;
  const offset = query.cursor ? 0 : (query.pageIndex - 1) * query.pageSize - (anchor?.before ?? 0);
  return {
    sql: `select *, ${column}::text as sort_${column} from ff_events ${where.sql}
          order by ${orderBy} limit ? offset ?`,
    params: [...where.params, query.pageSize + 1, offset],
  };
}

/**
 * A page of a tags, data or keyword filter through its GIN index, and the number of
 * matches. GIN keeps no order, and PostgreSQL keeps no statistics of `@>` on jsonb that would let
 * it weigh the index against the time index: the matches are taken through the index, at most
 * `limit` + 1 with their sort key, counted, and the page sorted from them (past the
 * cursor, or from pageIndex's offset), in one pass over the matches. Each row is a page row with
 * `matches`, or, when the page is empty, a single row of just that.
 */
export function indexedPageStatement(
  scope: ReadScope,
  query: EventQuery,
  now: Date,
  trigrams: readonly string[] = [],
  limit = INDEXED_MATCH_LIMIT,
): Statement {
  const where = filtersOf(scope, query, now, trigrams);
  const column = SORT_COLUMNS[query.sortField];
  return pageOfMatches(
    query,
    { sql: `select id, ${column} as sort_key from ff_events ${where.sql}`, params: where.params },
    limit,
  );
}

/**
 * indexedPageStatement for the matches of some UTC days only (YYYY-MM-DD, or TimeSlices: an hour
 * of a day, for a keyword), sorted by event time: one branch per day, in which GIN finds that
 * day's matches by the tenant-day key of its index (ff_event_day, the branch's scope: see
 * ScopedWhere; the hour's key of the description index), an equality its fast scan intersects
 * with the other keys. (A range of days would be a partial match, which collects every entry of the
 * range into a bitmap first; and the keys' text order breaks where day numbers gain a digit.)
 * A keyword's days are one branch, one scan of the description index for any of their keys
 * (keywordWithin): each scan reads the index's pending list again.
 */
export function windowedPageStatement(
  scope: ReadScope,
  query: EventQuery,
  now: Date,
  trigrams: readonly string[],
  slices: readonly (string | TimeSlice)[],
  limit = INDEXED_MATCH_LIMIT,
): Statement {
  if (query.keyword !== undefined && slices.length > 1) {
    const where = keywordWithin(scope, query, now, trigrams, slices.map(sliceOf));
    return pageOfMatches(
      query,
      {
        sql: `select id, event_timestamp as sort_key from ff_events ${where.sql}`,
        params: where.params,
      },
      limit,
    );
  }
  const branches = slices.map((slice) => {
    const where = filtersOf(scope, query, now, trigrams, sliceOf(slice));
    return {
      sql: `(select id, event_timestamp as sort_key from ff_events ${where.sql})`,
      params: where.params,
    };
  });
  return pageOfMatches(
    query,
    {
      sql: branches.map((branch) => branch.sql).join(' union all '),
      params: branches.flatMap((branch) => branch.params),
    },
    limit,
  );
}

/**
 * Which of `slices` (in their order, by position) hold a tags or data match past the cursor: one
 * existence test each, through the day-keyed GIN indexes, which stops at the first match a slice
 * holds and costs a slice that holds none its index pages. (A keyword's slices are asked by
 * range, anySliceHoldsStatement.)
 */
export function slicesHoldingStatement(
  scope: ReadScope,
  query: EventQuery,
  now: Date,
  trigrams: readonly string[],
  slices: readonly TimeSlice[],
): Statement {
  const branches = slices.map((slice, position) => {
    const where = filtersOf(scope, query, now, trigrams, slice);
    afterCursor(where, query, 'event_timestamp');
    return {
      sql: `select ${position} as position where exists (select 1 from ff_events ${where.sql})`,
      params: where.params,
    };
  });
  return {
    sql: `${branches.map((branch) => branch.sql).join(' union all ')} order by position`,
    params: branches.flatMap((branch) => branch.params),
  };
}

/**
 * Whether any of `slices` holds a keyword's match past the cursor: one scan of the description
 * index for the trigrams' keys and any of the slices' day or hour keys (ff_description_keys).
 * GIN finds every candidate of the range; the heap is read only to the first that matches. The
 * array of slice keys is folded to constants when planned (ff_event_day is immutable), so the
 * planner weighs the index with the keys it will ask.
 */
export function anySliceHoldsStatement(
  scope: ReadScope,
  query: EventQuery,
  now: Date,
  trigrams: readonly string[],
  slices: readonly TimeSlice[],
): Statement {
  const where = keywordWithin(scope, query, now, trigrams, slices);
  afterCursor(where, query, 'event_timestamp');
  return {
    sql: `select exists (select 1 from ff_events ${where.sql}) as holds`,
    params: where.params,
  };
}

/** The filters of a keyword's page (filtersOf), of any of `slices`. */
function keywordWithin(
  scope: ReadScope,
  query: EventQuery,
  now: Date,
  trigrams: readonly string[],
  slices: readonly TimeSlice[],
): ScopedWhere {
  const where = baseFiltersOf(scope, query, now);
  const checked = checkedFiltersOf(query, { tenantId: scope.tenantId, trigrams, within: slices });
  return checked ? where.and(checked.sql, ...checked.params) : where;
}

function sliceOf(slice: string | TimeSlice): TimeSlice {
  return typeof slice === 'string' ? { day: slice } : slice;
}

/**
 * The page of `matches` (rows of id and sort_key), with their number: at most
 * `limit` + 1 are taken, counted, and the page sorted from them (past the cursor, or
 * from pageIndex's offset). Each row is a page row with `matches`, or, when the page is empty, a
 * single row of just that.
 */
function pageOfMatches(
  query: EventQuery,
  matches: Statement,
  limit = INDEXED_MATCH_LIMIT,
): Statement {
  const column = SORT_COLUMNS[query.sortField];
  const order = query.sortOrder;
  const cursor = query.cursor
    ? {
        sql: `where (sort_key, id) ${order === 'desc' ? '<' : '>'} (?, ?::bigint)`,
        params: [query.cursor.value, query.cursor.id],
      }
    : { sql: '', params: [] };
  const offset = query.cursor ? 0 : (query.pageIndex - 1) * query.pageSize;
  return {
    sql: `with matched as materialized (
            select * from (${matches.sql}) as matches limit ?
          ), counts as (
            select count(*)::int as matches from matched
          ), page as (
            select id, sort_key from matched ${cursor.sql}
            order by sort_key ${order}, id ${order} limit ? offset ?
          )
          select counts.matches, e.*, e.${column}::text as sort_${column}
          from counts
          left join page on true
          left join ff_events as e on e.id = page.id
          order by page.sort_key ${order}, page.id ${order}`,
    params: [...matches.params, limit + 1, ...cursor.params, query.pageSize + 1, offset],
  };
}

function daysBefore(now: Date, days: number): Date {
  return new Date(now.getTime() - days * DAY_MS);
}
