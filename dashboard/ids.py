"""Component ids, defined once. Browser tests and the map script use the same names."""

URL = "url"
LANGUAGE = "control-language"
STATE = "atlas-state"
NOTICE = "atlas-notice"
TABS = "atlas-tabs"
VIEW_MAP = "view-map"
VIEW_PEERS = "view-peers"
VIEW_INDEX = "view-index"
VIEW_COMPARE = "view-compare"
VIEW_DATA = "view-data"
VIEW_ABOUT = "view-about"

INDICATOR = "control-indicator"
YEAR = "control-year"
CHANGE_SINCE = "control-change-since"  # the earlier year of a change map ("none": the year's values)
CHANGE_MODE = "control-change-mode"
COUNTRIES = "control-countries"
METHOD = "control-method"
CLASSES = "control-classes"
SCHEME = "control-scheme"
ZOOM = "control-zoom"
SEARCH = "control-search"
DOWNLOAD_BUTTON = "control-download"
DOWNLOAD = "download-csv"

MAP = "atlas-map"  # the MapLibre container (assets/atlas-map.js looks it up by this id)
MAP_PAYLOAD = "atlas-map-payload"
MAP_PAINTED = "atlas-map-painted"
SELECTED = "atlas-selected"  # set by the map script on click
SELECTION_DRAWN = "atlas-selection-drawn"  # the unit the map outlines (set in the browser)
LEGEND = "atlas-legend"
MAIN = "atlas-content"
MISSING = "atlas-missing"
INDICATOR_NOTE = "atlas-indicator-note"

PROFILE = "atlas-profile"
NEIGHBOUR = "profile-neighbour"  # dict id {"type": NEIGHBOUR, "unit": unit_id}
CLOSE = "profile-close"  # dict id {"type": CLOSE, "index": 0}
TABLE_UNIT = "table-unit"  # dict id {"type": TABLE_UNIT, "unit": unit_id}: a row of the map's table

# The peer finder (dashboard/views/peers.py, the profile's peer list)
PEER_UNIT = "peer-unit"
PEER_K = "peer-k"
PEER_SCOPE = "peer-scope"
PEER_COUNTRIES = "peer-countries"
PEER_INDICATORS = "peer-indicators"
PEER_MIN = "peer-min"
PEER_WEIGHT = "peer-weight"  # dict id {"type": PEER_WEIGHT, "indicator": id}
PEER_WEIGHTS = "peer-weights"  # the box holding one weight input per chosen indicator
PEER_OPEN = "peer-open"  # dict id {"type": PEER_OPEN, "unit": unit_id}: a peer's name opens its profile
PEER_ACTION = "peer-action"  # dict id {"type": PEER_ACTION, "action": ..., "where": "profile" | "view"}
PEER_RESULTS = "peer-results"  # heading, summary and button above the table
PEER_TABLE_DATA = "peer-table-data"  # the table's texts (the browser builds the table: assets/atlas-peers.js)
PEER_TABLE = "peer-table-box"
PEER_NOTES = "peer-notes"  # below the table: help, values that do not compare, the method
PEER_OUTLINES = "peer-outlines"  # the positions of the peers the map outlines (read in the browser)
PEER_OUTLINES_DRAWN = "peer-outlines-drawn"  # how many the map script was given (set in the browser)
PEER_DOWNLOAD_BUTTON = "peer-download"
PEER_DOWNLOAD = "peer-download-csv"

# The composite index builder (dashboard/views/index.py).
INDEX_CONTROL = "index-control"  # dict id {"type": INDEX_CONTROL, "name": one of INDEX_CONTROLS}
INDEX_PART = "index-part"  # dict id {"type": INDEX_PART, "kind": "weight" | "direction", "name": ..., "where": ...}
INDEX_ACTION = "index-action"  # dict id {"type": INDEX_ACTION, "action": ..., "where": "view" | "map" | "profile"}
INDEX_PARTS = "index-parts"  # the view's box of one weight and direction per component (or field)
INDEX_MAP_PARTS = "index-map-parts"  # the same weights in the map's control panel, while the index is mapped
INDEX_RESULTS = "index-results"  # summary, warnings, correlations, the rank table
INDEX_DOWNLOAD_BUTTON = "index-download"
INDEX_DOWNLOAD = "index-download-csv"

COMPARE_SENTENCES = "compare-sentences"
COMPARE_CHARTS = "compare-charts"
COMPARE_BOX = "compare-box"
COMPARE_COUNTRY_BOX = "compare-country-box"
COMPARE_SCATTER = "compare-scatter"
COMPARE_TABLE = "compare-table"

# Stores that say when a part of the page must be redrawn (set by the state callback only on change).
MAP_KEY = "atlas-map-key"
PROFILE_KEY = "atlas-profile-key"
COMPARE_KEY = "atlas-compare-key"
PEERS_KEY = "atlas-peers-key"
INDEX_KEY = "atlas-index-key"

# The person's uploaded datasets, kept in the browser session only (dashboard/upload/datasets.py).
UPLOADS = "atlas-uploads"

# Presentation mode and stories: the navigation store is set by assets/atlas-present.js (keys, buttons).
STORY_NAV = "atlas-story-nav"
STORY = "atlas-story"
PAGE = "atlas-page"

# The person's own story (dashboard/story_draft.py, views/author.py), kept in the browser's local storage.
OWN_STORY = "atlas-own-story"
OWN_STORY_PREVIOUS = "atlas-own-story-previous"  # the draft a load, a copy or "New story" replaced (undo)
AUTHOR = "author"  # the editor's panel
AUTHOR_EDITING = "author-editing"  # which step's caption the editor shows (from 0)
AUTHOR_TITLE = "author-title"
AUTHOR_ADD = "author-add"
AUTHOR_STEPS = "author-steps"
AUTHOR_STEP = "author-step"  # dict id {"type": ..., "action": edit|up|down|delete, "index": from 0}
AUTHOR_CAPTION_BOX = "author-caption-box"
AUTHOR_CAPTION_LABEL = "author-caption-label"
AUTHOR_CAPTION = "author-caption"
AUTHOR_HELP = "author-help"
AUTHOR_PREVIEW = "author-preview"
AUTHOR_PROBLEMS = "author-problems"
AUTHOR_PRESENT = "author-present"
AUTHOR_DOWNLOAD_BUTTON = "author-download-button"
AUTHOR_DOWNLOAD = "author-download"
AUTHOR_LOAD = "author-load"
AUTHOR_NEW = "author-new"
AUTHOR_UNDO = "author-undo"
AUTHOR_COPY = "author-copy"  # dict id {"type": ..., "story": id}: a copy of one of the Atlas' stories
AUTHOR_MESSAGE = "author-message"

# My data (dashboard/views/upload.py, upload_report.py)
UPLOAD_FILE = "upload-file"
UPLOAD_FORM = "upload-form"  # the label, unit and year of each value column
UPLOAD_KEY_BOX = "upload-key"
UPLOAD_REPORT = "upload-report"
UPLOAD_MESSAGE = "upload-message"
UPLOAD_ADD = "upload-add"
UPLOAD_CLEAR = "upload-clear"
UPLOAD_UNMATCHED = "upload-unmatched"
UPLOAD_DOWNLOAD = "upload-download"
UPLOAD_TEMPLATE_XLSX = "upload-template-xlsx"
UPLOAD_TEMPLATE_CSV = "upload-template-csv"
UPLOAD_LIST = "upload-list"
UPLOAD_KEY_COLUMN = "upload-key-column"
UPLOAD_KEY_KIND = "upload-key-kind"
UPLOAD_COUNTRY_COLUMN = "upload-country-column"
UPLOAD_COUNTRY = "upload-country"
UPLOAD_COLUMN_FIELD = "upload-column"  # dict id {"type": ..., "column": name, "field": label|unit|year}
UPLOAD_RESOLVE = "upload-resolve"  # dict id {"type": ..., "row": file row}: the unit chosen for a name
ARCHIVE_LINK = "about-archive-link"  # the open data archive of the build, in About
QR_BUTTON = "qr-button"  # the header's "QR code" button (views/share.py)
QR_DIALOG = "qr-dialog"
QR_TITLE = "qr-title"
QR_IMAGE = "qr-image"
QR_LINK = "qr-link"
QR_CLOSE = "qr-close"
VERSUS = "control-versus"  # the second indicator of a bivariate map (dashboard/bivariate.py)
