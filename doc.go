// Package intake holds the domain of the support intake gateway: the normalized
// Message every channel produces, the Incident it belongs to, the incident's
// status machine and timeline, the typed identifiers that tie them together,
// and the knowledge base Article that Level I answers from and the desk drafts.
// Every other package imports it; it imports none of them.
package intake
