-- Schema of the IKZ database. One file holds it all; ikz/build.py runs it on an empty database.
-- Every value that was inferred from free text keeps its evidence (the words that matched)
-- and a marker (*_source = 'abgeleitet' or is_derived) so a reader can tell it from the printed text.

-- One row per city whose document is loaded.
CREATE TABLE city (
    city_id      INTEGER PRIMARY KEY,
    name         VARCHAR NOT NULL UNIQUE,   -- 'Erfurt', 'Magdeburg'
    state        VARCHAR NOT NULL,          -- Bundesland
    source       VARCHAR NOT NULL,          -- the document, as cited in chart source lines
    source_file  VARCHAR NOT NULL,          -- file name under data/raw
    as_of        VARCHAR NOT NULL           -- the document's date as far as it can be told
);
COMMENT ON TABLE city IS 'One row per city whose source document is loaded.';

-- One row per department (Fachbereich/Amt, Magdeburg: unit of a Dezernat) of a city.
CREATE TABLE department (
    department_id        INTEGER PRIMARY KEY,
    city_id              INTEGER NOT NULL REFERENCES city (city_id),
    name                 VARCHAR NOT NULL,  -- as printed and cleaned: 'Amt für Bildung', 'Amt 37', 'Dezernat III'
    division             VARCHAR,           -- Magdeburg's Dezernat 'I' … 'VI'; NULL for Erfurt
    task_area            VARCHAR NOT NULL,  -- KGSt main group, e.g. '3 Recht, Sicherheit und Ordnung'
    task_area_evidence   VARCHAR NOT NULL,  -- the rule that placed it
    UNIQUE (city_id, name)
);
COMMENT ON TABLE department IS 'One row per department (Fachbereich/Amt or Magdeburg unit) of a city.';

-- One row per canonical Kooperationsart, with its harmonised form and binding.
CREATE TABLE cooperation_type (
    type_id  INTEGER PRIMARY KEY,
    name     VARCHAR NOT NULL UNIQUE,       -- canonical Kooperationsart, singular: 'Zweckvereinbarung'
    form     VARCHAR NOT NULL,              -- Kooperationsform, one of nine harmonised names
    binding  VARCHAR NOT NULL               -- Verbindlichkeit: öffentlich-rechtlich, vertraglich, …
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
    type_source      VARCHAR NOT NULL,      -- 'Dokument' or 'abgeleitet'
    type_evidence    VARCHAR NOT NULL,      -- words that led to the type ('' for ohne Angabe)
    effects_text     VARCHAR,               -- Effekte as printed (Erfurt); NULL where the source has none
    effects_source   VARCHAR NOT NULL,      -- 'Dokument' (Effekte column) or 'abgeleitet' (from other texts)
    status_text      VARCHAR,               -- Arbeitsstand as printed (Magdeburg)
    status           VARCHAR NOT NULL,      -- harmonised status, 'ohne Angabe' without a status text
    status_evidence  VARCHAR NOT NULL,
    outlook_text     VARCHAR,               -- Perspektive (Magdeburg)
    source_file      VARCHAR NOT NULL,      -- file under data/raw
    line_start       INTEGER NOT NULL,      -- 1-based, inclusive
    line_end         INTEGER NOT NULL,
    source_lines     VARCHAR NOT NULL,      -- 'Z. 3–7', for display
    parse_notes      VARCHAR,               -- repairs the parser applied to this record
    search_text      VARCHAR NOT NULL,      -- lower-cased title, effects, status and outlook for search
    cooperation_key  VARCHAR NOT NULL UNIQUE, -- stable across rebuilds: ikz.keys.cooperation_key, 'EF-3f2a9c1b'
    source_fingerprint VARCHAR NOT NULL,    -- ikz.keys.fingerprint of the record's source texts
    list_heading     VARCHAR,               -- Magdeburg: the list heading an item stands under ('Vorschläge für …')
    binding          VARCHAR NOT NULL,      -- Verbindlichkeit of this record, from its own words
    binding_source   VARCHAR NOT NULL,      -- 'Dokument', 'abgeleitet' (or 'geprüft' once overlaid)
    binding_evidence VARCHAR NOT NULL,      -- the words (or rule) that led to the binding
    status_source    VARCHAR NOT NULL,      -- 'Dokument' (nothing to derive), 'abgeleitet', 'geprüft'
    type_confidence    VARCHAR,             -- 'sicher'/'unsicher' for a derived value; NULL when printed
    binding_confidence VARCHAR,
    effects_confidence VARCHAR,
    status_confidence  VARCHAR,
    CHECK (line_start <= line_end),
    CHECK (type_source IN ('Dokument', 'abgeleitet', 'geprüft')),
    CHECK (effects_source IN ('Dokument', 'abgeleitet', 'geprüft')),
    CHECK (binding_source IN ('Dokument', 'abgeleitet', 'geprüft')),
    CHECK (status_source IN ('Dokument', 'abgeleitet', 'geprüft')),
    CHECK (type_confidence IN ('sicher', 'unsicher')),
    CHECK (binding_confidence IN ('sicher', 'unsicher')),
    CHECK (effects_confidence IN ('sicher', 'unsicher')),
    CHECK (status_confidence IN ('sicher', 'unsicher'))
);
COMMENT ON TABLE cooperation IS 'One row per cooperation record: an Erfurt table row, or a Magdeburg exchange body or project.';

-- One row per Effektkategorie.
CREATE TABLE effect_category (
    effect_id    INTEGER PRIMARY KEY,
    name         VARCHAR NOT NULL UNIQUE,
    description  VARCHAR NOT NULL,
    sort_order   INTEGER NOT NULL
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
    kind        VARCHAR NOT NULL,           -- Landkreis, kreisfreie Stadt, Gemeinde, Landesbehörde, …
    CHECK (kind IN ('Landkreis', 'kreisfreie Stadt', 'Gemeinde', 'Landesbehörde', 'Verband/Verein',
                    'Bund/Bundesbehörde', 'Sonstige'))
);
COMMENT ON TABLE partner IS 'One row per partner of the gazetteer data/partners.toml, with its kind.';

-- One row per (cooperation, partner) the cooperation's texts name. Always derived: found by the
-- gazetteer in title, context, partners, effects, status and outlook texts; a city never names itself.
CREATE TABLE cooperation_partner (
    cooperation_id  INTEGER NOT NULL REFERENCES cooperation (cooperation_id),
    partner_id      INTEGER NOT NULL REFERENCES partner (partner_id),
    evidence        VARCHAR NOT NULL,       -- field and matched words: 'Bezeichnung/Thema: „Ilmkreis“'; '; '-separated
    PRIMARY KEY (cooperation_id, partner_id)
);
COMMENT ON TABLE cooperation_partner IS 'One row per partner a cooperation''s texts name (derived by the gazetteer).';

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
    c.status_confidence
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
