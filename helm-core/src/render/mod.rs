//! Rendering a chart: values per subchart, the top-level object, ordering, hooks, NOTES.
