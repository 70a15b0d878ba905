-- Schema of the IKZ database. One file holds it all; ikz/builder/database.py runs it on an empty database.
-- Every value that was inferred from free text keeps its evidence (the words that matched)
-- and a marker (*_source naming a row of the table origin, or is_derived) so a reader can tell it
-- from the printed text.

-- Vocabularies (dimension tables). Each is loaded by the build from the rules files in data/ and
-- is the one place its categories and their display order live: queries ORDER BY sort_order,
-- filters and charts take their choices from here. is_no_info marks the value named `no_info` in
-- data/taxonomy.toml, so no query spells it out; the table origin names where a value comes from.

-- One row per Verbindlichkeit (data/taxonomy.toml `bindings`).
CREATE TABLE binding (
    name          VARCHAR PRIMARY KEY,
    sort_order    INTEGER NOT NULL UNIQUE,
    is_no_info    BOOLEAN NOT NULL,
    is_committed  BOOLEAN NOT NULL,         -- counts as binding in the key figures (`committed_bindings`)
    color         VARCHAR                   -- [colors.bindings]; NULL: the theme gives one
);
COMMENT ON TABLE binding IS 'One row per Verbindlichkeit, in display order.';

-- One row per Kooperationsform (data/taxonomy.toml [[forms]]) with its Verbindlichkeit, colour and
-- fill pattern.
CREATE TABLE form (
    name        VARCHAR PRIMARY KEY,
    binding     VARCHAR NOT NULL REFERENCES binding (name),
    sort_order  INTEGER NOT NULL UNIQUE,
    is_no_info  BOOLEAN NOT NULL,
    color       VARCHAR,                    -- '#0B4F6C'; NULL: the theme gives one (ikz.present.theme.color_of)
    pattern     VARCHAR NOT NULL            -- Plotly fill pattern, '' = solid
);
COMMENT ON TABLE form IS 'One row per Kooperationsform, in display order.';

-- One row per harmonised Arbeitsstand (data/taxonomy.toml [status] names).
CREATE TABLE status (
    name        VARCHAR PRIMARY KEY,
    sort_order  INTEGER NOT NULL UNIQUE,
    is_no_info  BOOLEAN NOT NULL,
    color       VARCHAR                     -- [colors.status]; NULL: the theme gives one
);
COMMENT ON TABLE status IS 'One row per harmonised status, in display order.';

-- One row per KGSt main group (data/taxonomy.toml [task_areas] names).
CREATE TABLE task_area (
    name        VARCHAR PRIMARY KEY,
    sort_order  INTEGER NOT NULL UNIQUE,
    color       VARCHAR                     -- [colors.task_areas]; NULL: the theme gives one
);
COMMENT ON TABLE task_area IS 'One row per Aufgabenbereich (KGSt main group), in display order.';

-- One row per origin of a shown value (data/taxonomy.toml [origins]): printed in the document,
-- derived from the texts, or checked by a person. Code asks by role; tables show the label.
CREATE TABLE origin (
    name        VARCHAR PRIMARY KEY,        -- as the *_source columns hold it
    role        VARCHAR NOT NULL UNIQUE,    -- 'document', 'derived' or 'checked'
    mark        VARCHAR NOT NULL,           -- its sign in tables; '' for the document
    label       VARCHAR NOT NULL,           -- mark and name, as the *_origin columns begin
    sort_order  INTEGER NOT NULL UNIQUE,
    CHECK (role IN ('document', 'derived', 'checked'))
);
COMMENT ON TABLE origin IS 'One row per origin of a shown value (document, derived, checked), with its mark.';

-- One row per kind of named partner (data/partners.toml `kinds`).
CREATE TABLE partner_kind (
    name        VARCHAR PRIMARY KEY,
    sort_order  INTEGER NOT NULL UNIQUE
);
COMMENT ON TABLE partner_kind IS 'One row per kind of partner, in display order.';

-- One row per city whose document is loaded.
CREATE TABLE city (
    city_id      INTEGER PRIMARY KEY,
    name         VARCHAR NOT NULL UNIQUE,   -- 'Erfurt', 'Magdeburg'
    state        VARCHAR NOT NULL,          -- Bundesland
    source       VARCHAR NOT NULL,          -- the document, as cited in chart source lines
    source_file  VARCHAR NOT NULL,          -- file name under data/raw
    as_of        VARCHAR NOT NULL,          -- the document's date as far as it can be told
    sort_order   INTEGER NOT NULL UNIQUE    -- display order (ikz.rules.sources.DOCUMENTS)
);
COMMENT ON TABLE city IS 'One row per city whose source document is loaded.';

-- One row per edition of a city's list: the seed document (edition_id −1 Erfurt, −2 Magdeburg while
-- it has no store row) and every file imported through „Daten pflegen“, kept byte-identical.
CREATE TABLE edition (
    edition_id   INTEGER PRIMARY KEY,       -- the store's edition_id; negative for an unregistered seed
    city_id      INTEGER NOT NULL REFERENCES city (city_id),
    as_of        VARCHAR NOT NULL,          -- the edition's date (YYYY-MM-DD; the seed's as printed)
    file_name    VARCHAR NOT NULL,          -- 'editions/Erfurt/2026-11-30_ab12cd34.xlsx' or 'raw/…'
    sha256       VARCHAR NOT NULL,
    imported_at  VARCHAR,                   -- UTC, ISO 8601; NULL for the seed
    imported_by  VARCHAR,                   -- who published it; NULL for the seed
    is_current   BOOLEAN NOT NULL,          -- the edition the cooperation table holds
    row_count    INTEGER NOT NULL,
    note         VARCHAR                    -- 'Ausgangsliste', or what a single-record edit did
);
COMMENT ON TABLE edition IS 'One row per edition of a city''s list (seed document or imported file).';

-- One row per department (Fachbereich/Amt, Magdeburg: unit of a Dezernat) of a city.
CREATE TABLE department (
    department_id        INTEGER PRIMARY KEY,
    city_id              INTEGER NOT NULL REFERENCES city (city_id),
    name                 VARCHAR NOT NULL,  -- as printed and cleaned: 'Amt für Bildung', 'Amt 37', 'Dezernat III'
    division             VARCHAR,           -- Magdeburg's Dezernat 'I' … 'VI'; NULL for Erfurt
    task_area            VARCHAR NOT NULL REFERENCES task_area (name),  -- e.g. '3 Recht, Sicherheit und Ordnung'
    task_area_evidence   VARCHAR NOT NULL,  -- the rule that placed it
    UNIQUE (city_id, name)
);
COMMENT ON TABLE department IS 'One row per department (Fachbereich/Amt, or a unit of a Dezernat) of a city.';

-- One row per canonical Kooperationsart, with its harmonised form and binding.
CREATE TABLE cooperation_type (
    type_id  INTEGER PRIMARY KEY,
    name     VARCHAR NOT NULL UNIQUE,       -- canonical Kooperationsart, singular: 'Zweckvereinbarung'
    form     VARCHAR NOT NULL REFERENCES form (name),  -- Kooperationsform
    binding  VARCHAR NOT NULL REFERENCES binding (name),  -- Verbindlichkeit: öffentlich-rechtlich, …
    is_no_info  BOOLEAN NOT NULL            -- the type 'ohne Angabe'
);
COMMENT ON TABLE cooperation_type IS 'One row per canonical Kooperationsart with its Kooperationsform and Verbindlichkeit.';

-- One row per cooperation record: an Erfurt table row, or a Magdeburg exchange body or project.
CREATE TABLE cooperation (
    cooperation_id   INTEGER PRIMARY KEY,
    city_id          INTEGER NOT NULL REFERENCES city (city_id),
    department_id    INTEGER NOT NULL REFERENCES department (department_id),
    record_kind      VARCHAR NOT NULL,      -- 'Kooperation' (Erfurt), 'Gremium' or 'Projekt' (Magdeburg)
    title            VARCHAR NOT NULL,      -- Bezeichnung, Thema or the body's name
    context          VARCHAR,               -- Magdeburg: the body named in the project's own line
    sub_unit         VARCHAR,               -- Magdeburg FB 32: the sub-unit in column 1
    partners_text    VARCHAR,               -- Magdeburg FB 32: the partners listed in column 1
    type_raw         VARCHAR,               -- Kooperationsart as printed and cleaned; NULL if none printed
    type_id          INTEGER NOT NULL REFERENCES cooperation_type (type_id),
    type_source      VARCHAR NOT NULL REFERENCES origin (name),  -- document or derived (checked once overlaid)
    type_evidence    VARCHAR NOT NULL,      -- words that led to the type ('' for no_info)
    effects_text     VARCHAR,               -- Effekte as printed (Erfurt); NULL where the source has none
    effects_source   VARCHAR NOT NULL REFERENCES origin (name),  -- document (Effekte column) or derived
    status_text      VARCHAR,               -- Arbeitsstand as printed (Magdeburg)
    status           VARCHAR NOT NULL REFERENCES status (name),  -- no_info without a status text
    status_evidence  VARCHAR NOT NULL,
    outlook_text     VARCHAR,               -- Perspektive (Magdeburg)
    source_file      VARCHAR NOT NULL,      -- file under data/raw
    line_start       INTEGER NOT NULL,      -- 1-based, inclusive
    line_end         INTEGER NOT NULL,
    source_lines     VARCHAR NOT NULL,      -- 'Z. 3–7', for display
    parse_notes      VARCHAR,               -- repairs the parser applied to this record
    search_text      VARCHAR NOT NULL,      -- lower-cased title, effects, status and outlook for search
    cooperation_key  VARCHAR NOT NULL UNIQUE, -- stable across rebuilds: ikz.core.keys.cooperation_key, 'EF-3f2a9c1b'
    source_fingerprint VARCHAR NOT NULL,    -- ikz.core.keys.fingerprint of the record's source texts
    list_heading     VARCHAR,               -- Magdeburg: the list heading an item stands under ('Vorschläge für …')
    binding          VARCHAR NOT NULL,      -- Verbindlichkeit of this record, from its own words
    binding_source   VARCHAR NOT NULL REFERENCES origin (name),
    binding_evidence VARCHAR NOT NULL,      -- the words (or rule) that led to the binding
    status_source    VARCHAR NOT NULL REFERENCES origin (name),  -- document: nothing to derive
    type_confidence    VARCHAR,             -- 'sicher'/'unsicher' for a derived value; NULL when printed
    binding_confidence VARCHAR,
    effects_confidence VARCHAR,
    status_confidence  VARCHAR,
    edition_id       INTEGER,               -- the edition the record comes from (see table edition)
    start_year       INTEGER,               -- Beginn (Jahr); NULL where the source has none
    end_year         INTEGER,               -- Ende
    legal_basis      VARCHAR,               -- Rechtsgrundlage
    council_decision VARCHAR,               -- Ratsbeschluss/Drucksache
    contact_person   VARCHAR,               -- Ansprechpartner
    savings_eur_per_year DOUBLE,            -- Einsparung (€/Jahr)
    funding          VARCHAR,               -- Förderung
    CHECK (line_start <= line_end),
    CHECK (type_confidence IN ('sicher', 'unsicher')),
    CHECK (binding_confidence IN ('sicher', 'unsicher')),
    CHECK (effects_confidence IN ('sicher', 'unsicher')),
    CHECK (status_confidence IN ('sicher', 'unsicher'))
);
COMMENT ON TABLE cooperation IS 'One row per cooperation record: a row of a list, or an exchange body or project of a report.';

-- One row per Effektkategorie.
CREATE TABLE effect_category (
    effect_id    INTEGER PRIMARY KEY,
    name         VARCHAR NOT NULL UNIQUE,
    description  VARCHAR NOT NULL,
    sort_order   INTEGER NOT NULL UNIQUE,
    is_no_info   BOOLEAN NOT NULL,
    color        VARCHAR                    -- '#4E79A7'; NULL: the theme gives one (ikz.present.theme.color_of)
);
COMMENT ON TABLE effect_category IS 'One row per Effektkategorie.';

-- One row per (cooperation, effect category) the texts support; every cooperation has at least one.
CREATE TABLE cooperation_effect (
    cooperation_id  INTEGER NOT NULL REFERENCES cooperation (cooperation_id),
    effect_id       INTEGER NOT NULL REFERENCES effect_category (effect_id),
    evidence        VARCHAR NOT NULL,       -- the matched words, '; '-separated
    is_derived      BOOLEAN NOT NULL,       -- true: classified from free text (always, for categories)
    PRIMARY KEY (cooperation_id, effect_id)
);
COMMENT ON TABLE cooperation_effect IS 'One row per effect category a cooperation''s texts support.';

-- One row per partner of the gazetteer data/partners.toml: a Landkreis, a city or Gemeinde,
-- a Land or federal authority, an association. Rows exist whether or not a text names them.
CREATE TABLE partner (
    partner_id  INTEGER PRIMARY KEY,
    name        VARCHAR NOT NULL UNIQUE,    -- canonical name: 'Ilm-Kreis', 'Deutscher Städtetag'
    kind        VARCHAR NOT NULL REFERENCES partner_kind (name),  -- Landkreis, kreisfreie Stadt, …
    ars         VARCHAR,                    -- Amtlicher Regionalschlüssel (data/geo); NULL: no place on the map
    place_name  VARCHAR,                    -- today's name of the area the key stands for: 'Grammetal'
    lon         DOUBLE,                     -- the map's point for it (EPSG:4326), inside the area
    lat         DOUBLE,
    CHECK ((ars IS NULL) = (lon IS NULL) AND (lon IS NULL) = (lat IS NULL))
);
COMMENT ON TABLE partner IS 'One row per partner of the gazetteer data/partners.toml, with its kind and, for places, its key and map point.';

-- One row per (cooperation, partner) the cooperation's texts name. Always derived: found by the
-- gazetteer in title, context, partners, effects, status and outlook texts; a city never names itself.
CREATE TABLE cooperation_partner (
    cooperation_id  INTEGER NOT NULL REFERENCES cooperation (cooperation_id),
    partner_id      INTEGER NOT NULL REFERENCES partner (partner_id),
    evidence        VARCHAR NOT NULL,       -- field and matched words: 'Bezeichnung/Thema: „Ilmkreis“'; '; '-separated
    PRIMARY KEY (cooperation_id, partner_id)
);
COMMENT ON TABLE cooperation_partner IS 'One row per partner a cooperation''s texts name (derived by the gazetteer).';

-- One row per record that changed between a city's previous and current edition (by cooperation_key).
CREATE TABLE cooperation_change (
    city_id          INTEGER NOT NULL REFERENCES city (city_id),
    from_edition_id  INTEGER NOT NULL,      -- the edition current before
    to_edition_id    INTEGER NOT NULL,      -- the current edition
    cooperation_key  VARCHAR NOT NULL,
    change           VARCHAR NOT NULL,      -- 'neu', 'entfallen' or 'geändert'
    title            VARCHAR NOT NULL,      -- current title (the former one for 'entfallen')
    department       VARCHAR NOT NULL,
    changed_fields   VARCHAR,               -- 'Effekte: „alt“ → „neu“; …' for 'geändert'
    CHECK (change IN ('neu', 'entfallen', 'geändert'))
);
COMMENT ON TABLE cooperation_change IS 'One row per record new, ended or changed since the city''s previous edition.';

-- One row per (city, edition, Kooperationsform): how many cooperations each edition lists.
CREATE TABLE edition_form_count (
    city_id       INTEGER NOT NULL REFERENCES city (city_id),
    edition_id    INTEGER NOT NULL,
    form          VARCHAR NOT NULL,
    cooperations  INTEGER NOT NULL
);
COMMENT ON TABLE edition_form_count IS 'One row per city, edition and Kooperationsform with its number of cooperations.';

-- One row per topic of data/topics.toml, in its order, with its KGSt main group.
CREATE TABLE topic (
    name        VARCHAR PRIMARY KEY,
    task_area   VARCHAR NOT NULL REFERENCES task_area (name),
    sort_order  INTEGER NOT NULL UNIQUE
);
COMMENT ON TABLE topic IS 'One row per topic of the vocabulary data/topics.toml.';

-- One row per (cooperation, topic, field) where that field's text names the topic. Always derived:
-- found by ikz.derive.topics in title, context, sub-unit, partners, effects, status and outlook texts.
CREATE TABLE cooperation_topic (
    cooperation_id  INTEGER NOT NULL REFERENCES cooperation (cooperation_id),
    topic           VARCHAR NOT NULL REFERENCES topic (name),
    task_area       VARCHAR NOT NULL REFERENCES task_area (name),  -- the topic's, for grouping
    field           VARCHAR NOT NULL,       -- German label of the text: 'Bezeichnung/Thema', 'Effekte', …
    stems           VARCHAR NOT NULL,       -- the stems that matched, '; '-separated, vocabulary order
    matched         VARCHAR NOT NULL,       -- evidence: 'Bezeichnung/Thema: „Fahrbahnwinterdienst“'; …
    fuzzy           BOOLEAN NOT NULL,       -- true: only similar words (typos), no exact one
    PRIMARY KEY (cooperation_id, topic, field)
);
COMMENT ON TABLE cooperation_topic IS 'One row per topic a field of a cooperation names (derived by ikz.derive.topics).';

-- One row per (record, one of its closest records in the other city), found by ikz/derive/matching.py:
-- the TOP_MATCHES best per record, so every pair appears from both sides (ranked on each side).
CREATE TABLE cooperation_match (
    cooperation_id        INTEGER NOT NULL REFERENCES cooperation (cooperation_id),
    other_cooperation_id  INTEGER NOT NULL REFERENCES cooperation (cooperation_id),
    score                 DOUBLE NOT NULL,      -- 0…1, weighted sum of word, letter, title, topic, partner signals
    rank                  INTEGER NOT NULL,     -- 1 = closest counterpart of cooperation_id
    reason                VARCHAR NOT NULL,     -- German: shared words with their fields, shared topic, partner
    PRIMARY KEY (cooperation_id, other_cooperation_id),
    CHECK (score >= 0 AND score <= 1),
    CHECK (rank >= 1),
    CHECK (cooperation_id <> other_cooperation_id)
);
COMMENT ON TABLE cooperation_match IS 'One row per record and one of its closest records in the other city (derived).';

-- One row per record of one city without a close counterpart in the other: an idea („Anregung“)
-- for for_city. Derived: the record's best match scores below ikz.derive.matching.THRESHOLD.
CREATE TABLE suggestion (
    cooperation_id          INTEGER NOT NULL REFERENCES cooperation (cooperation_id),
    for_city                VARCHAR NOT NULL,   -- the city it is an idea for (each other city)
    nearest_cooperation_id  INTEGER REFERENCES cooperation (cooperation_id),
    nearest_score           DOUBLE NOT NULL,    -- score of the closest record there, below the threshold
    PRIMARY KEY (cooperation_id, for_city),
    CHECK (nearest_score >= 0 AND nearest_score <= 1)
);
COMMENT ON TABLE suggestion IS 'One row per record and other city without a close counterpart there: an idea for that city (derived).';

-- The three tables below come from the store of record (ikz/builder/review.py applies it in the build).

-- One row per value a reviewer may choose for a field ('type', 'binding', 'effects', 'status',
-- 'partners'), in display order: the names of the rules files.
CREATE TABLE review_vocabulary (
    field       VARCHAR NOT NULL,
    value       VARCHAR NOT NULL,
    sort_order  INTEGER NOT NULL,
    PRIMARY KEY (field, value)
);
COMMENT ON TABLE review_vocabulary IS 'One row per value a reviewer may choose for a field, in display order.';

-- One row per (cooperation, field) whose value a person checked: the value applied, who and when.
CREATE TABLE cooperation_check (
    cooperation_id  INTEGER NOT NULL REFERENCES cooperation (cooperation_id),
    field           VARCHAR NOT NULL,       -- 'type', 'binding', 'effects', 'status', 'partners'
    value           VARCHAR NOT NULL,       -- the checked value; lists '; '-joined
    checked_by      VARCHAR NOT NULL,       -- the person's name
    checked_at      VARCHAR NOT NULL,       -- UTC, ISO 8601
    checked_on      VARCHAR NOT NULL,       -- the date in Erfurt, 'dd.mm.yyyy', for display
    note            VARCHAR,
    decision_id     BIGINT NOT NULL,        -- review_decision.decision_id in the store
    PRIMARY KEY (cooperation_id, field),
    CHECK (field IN ('type', 'binding', 'effects', 'status', 'partners'))
);
COMMENT ON TABLE cooperation_check IS 'One row per (cooperation, field) whose value a person checked.';

-- One row per latest decision the build did not apply: the record's source text changed since,
-- the record is gone, or the value is no longer in the rules. Shown as „zu prüfen“.
CREATE TABLE review_pending (
    decision_id      BIGINT NOT NULL PRIMARY KEY,
    cooperation_id   INTEGER,               -- NULL when the record is gone
    cooperation_key  VARCHAR NOT NULL,
    city             VARCHAR NOT NULL,
    field            VARCHAR NOT NULL,
    value            VARCHAR NOT NULL,      -- the value decided then
    checked_by       VARCHAR NOT NULL,
    checked_at       VARCHAR NOT NULL,
    note             VARCHAR,
    reason           VARCHAR NOT NULL       -- 'zu prüfen (Quelle geändert)', …
);
COMMENT ON TABLE review_pending IS 'One row per latest review decision the build could not apply (zu prüfen).';

-- @marts
-- Everything below runs after the tables above are loaded.

-- The filterable, chart-ready mart every query starts from: one row per cooperation, with the
-- names of its city, department and type joined in, and its effect categories as a list.
-- Materialised (not a view) because every page query scans it: at a million cooperations the
-- joins cost more than the copy, and unnesting the list is cheaper than joining the effect links.
CREATE TABLE cooperation_wide AS
SELECT
    c.cooperation_id,
    c.city_id,
    c.department_id,
    ci.name AS city,
    d.name AS department,
    d.division,
    d.task_area,
    c.record_kind,
    c.title,
    c.context,
    c.sub_unit,
    c.partners_text,
    c.type_raw,
    t.name AS type_name,
    t.form,
    c.binding,
    c.type_source,
    c.type_evidence,
    c.effects_text,
    c.effects_source,
    coalesce(e.effect_names, []::VARCHAR[]) AS effect_names,
    c.status_text,
    c.status,
    c.status_evidence,
    c.outlook_text,
    c.source_file,
    c.line_start,
    c.line_end,
    c.source_lines,
    c.parse_notes,
    c.search_text,
    c.cooperation_key,
    c.source_fingerprint,
    c.list_heading,
    c.binding_source,
    c.binding_evidence,
    c.status_source,
    c.type_confidence,
    c.binding_confidence,
    c.effects_confidence,
    c.status_confidence,
    c.edition_id,
    c.start_year,
    c.end_year,
    c.legal_basis,
    c.council_decision,
    c.contact_person,
    c.savings_eur_per_year,
    c.funding
FROM cooperation c
JOIN city ci USING (city_id)
JOIN department d USING (department_id)
JOIN cooperation_type t USING (type_id)
LEFT JOIN (
    SELECT ce.cooperation_id, list(ec.name ORDER BY ec.sort_order) AS effect_names
    FROM cooperation_effect ce JOIN effect_category ec USING (effect_id)
    GROUP BY ce.cooperation_id
) e USING (cooperation_id)
ORDER BY c.cooperation_id;
COMMENT ON TABLE cooperation_wide IS 'One row per cooperation with city, department and type names joined in (a mart).';
COMMENT ON COLUMN cooperation_wide.effect_names IS 'Its effect categories in display order, as in cooperation_effect.';
COMMENT ON COLUMN cooperation_wide.binding IS 'Verbindlichkeit of the record from its own words (not from its type).';

-- Where each shown value comes from, as one text per field for tables and downloads: the origin's
-- label, for a derived value with its confidence, for a checked one with who and when (with the
-- shipped words: 'Dokument', '◆ abgeleitet (unsicher)', '✓ geprüft (Anna Beispiel, 30.11.2026)').
-- One row per cooperation: the origin of each reviewable value, its partners, and how many of its
-- values are still derived, uncertain or checked (for key figures, footers and the review queue).
CREATE TABLE cooperation_origin AS
WITH o AS (
    SELECT max(name) FILTER (WHERE role = 'derived') AS derived,
           max(label) FILTER (WHERE role = 'derived') AS derived_label,
           max(name) FILTER (WHERE role = 'checked') AS checked,
           max(label) FILTER (WHERE role = 'checked') AS checked_label
    FROM origin
), checks AS (
    SELECT cooperation_id,
           max(checked_by || ', ' || checked_on) FILTER (WHERE field = 'type') AS type_check,
           max(checked_by || ', ' || checked_on) FILTER (WHERE field = 'binding') AS binding_check,
           max(checked_by || ', ' || checked_on) FILTER (WHERE field = 'effects') AS effects_check,
           max(checked_by || ', ' || checked_on) FILTER (WHERE field = 'status') AS status_check,
           max(checked_by || ', ' || checked_on) FILTER (WHERE field = 'partners') AS partners_check
    FROM cooperation_check GROUP BY cooperation_id
), partners AS (
    SELECT cp.cooperation_id, string_agg(p.name, '; ' ORDER BY p.name) AS partner_names
    FROM cooperation_partner cp JOIN partner p USING (partner_id) GROUP BY cp.cooperation_id
), fields AS (
    SELECT c.cooperation_id,
           c.type_source, c.type_confidence, ch.type_check,
           c.binding_source, c.binding_confidence, ch.binding_check,
           c.effects_source, c.effects_confidence, ch.effects_check,
           c.status_source, c.status_confidence, ch.status_check,
           CASE WHEN ch.partners_check IS NULL THEN o.derived ELSE o.checked END AS partners_source,
           ch.partners_check,
           pa.partner_names
    FROM cooperation c
    CROSS JOIN o
    LEFT JOIN checks ch USING (cooperation_id)
    LEFT JOIN partners pa USING (cooperation_id)
)
SELECT
    cooperation_id,
    CASE type_source WHEN o.checked THEN o.checked_label || ' (' || type_check || ')'
        WHEN o.derived THEN o.derived_label || coalesce(' (' || type_confidence || ')', '')
        ELSE type_source END AS type_origin,
    CASE binding_source WHEN o.checked THEN o.checked_label || ' (' || binding_check || ')'
        WHEN o.derived THEN o.derived_label || coalesce(' (' || binding_confidence || ')', '')
        ELSE binding_source END AS binding_origin,
    CASE effects_source WHEN o.checked THEN o.checked_label || ' (' || effects_check || ')'
        WHEN o.derived THEN o.derived_label || coalesce(' (' || effects_confidence || ')', '')
        ELSE effects_source END AS effects_origin,
    CASE status_source WHEN o.checked THEN o.checked_label || ' (' || status_check || ')'
        WHEN o.derived THEN o.derived_label || coalesce(' (' || status_confidence || ')', '')
        ELSE status_source END AS status_origin,
    CASE partners_source WHEN o.checked THEN o.checked_label || ' (' || partners_check || ')'
        ELSE o.derived_label END AS partners_origin,
    partners_source,
    coalesce(partner_names, '') AS partner_names,
    (type_source = o.derived)::INTEGER + (binding_source = o.derived)::INTEGER
        + (effects_source = o.derived)::INTEGER + (status_source = o.derived)::INTEGER
        + (partners_source = o.derived)::INTEGER AS count_derived,
    (type_source = o.derived AND type_confidence = 'unsicher')::INTEGER
        + (binding_source = o.derived AND binding_confidence = 'unsicher')::INTEGER
        + (effects_source = o.derived AND effects_confidence = 'unsicher')::INTEGER
        + (status_source = o.derived AND status_confidence = 'unsicher')::INTEGER AS count_uncertain,
    (type_source = o.checked)::INTEGER + (binding_source = o.checked)::INTEGER
        + (effects_source = o.checked)::INTEGER + (status_source = o.checked)::INTEGER
        + (partners_source = o.checked)::INTEGER AS count_checked
FROM fields
CROSS JOIN o
ORDER BY cooperation_id;
COMMENT ON TABLE cooperation_origin IS 'One row per cooperation: origin label per reviewable field and counts of derived, uncertain, checked values.';

-- The values each sidebar filter offers (departments with their city): the sidebar reads these few
-- rows instead of scanning the mart, which at a million cooperations took 28 ms of every first run
-- on a database version (issue 21). Display order comes from the vocabularies (queries.filter_options).
CREATE TABLE filter_value AS
SELECT 'department' AS dimension, city, department AS value FROM cooperation_wide GROUP BY ALL
UNION ALL
SELECT 'type', NULL, t.name FROM cooperation_type t WHERE t.type_id IN (SELECT type_id FROM cooperation)
UNION ALL
SELECT 'binding', NULL, binding FROM cooperation GROUP BY ALL
UNION ALL
SELECT 'status', NULL, status FROM cooperation GROUP BY ALL
UNION ALL
SELECT 'start_year', NULL, CAST(start_year AS VARCHAR) FROM cooperation
WHERE start_year IS NOT NULL GROUP BY ALL;
COMMENT ON TABLE filter_value IS 'The values present per sidebar filter (dimension), departments with their city.';

-- The id of the file of read results the build stored beside this database, if it stored any
-- (ikz/read/precomputed.py, issue 21): one row, or none.
CREATE TABLE precomputed_build (build_id VARCHAR NOT NULL);
COMMENT ON TABLE precomputed_build IS 'Names the file ikz.duckdb.reads-<build_id> of read results stored at build time for the filter states opened most.';
