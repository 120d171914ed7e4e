/*
 * pcsc: the virtual card on the wire, and the reader side that talks to cards.
 *
 * Two halves, both at the edge of mynasim where sockets and daemons live:
 *
 *   - Serving a card to pcscd through vsmartcard's vpcd driver. vpcd listens on a TCP port; we connect to it
 *     and answer its messages (2-byte big-endian length + payload: a 1-byte payload is a control code,
 *     anything longer a command APDU). The frame decoder is a pure state machine over a byte stream (fuzzed
 *     in fuzz/vpcd_frame), the dispatcher a pure function of one frame, and the server a poll loop around
 *     them with reconnection, a control channel and a stop descriptor. The server reaches the card only
 *     through `struct pcsc_card_ops`, so tests serve a test double and `pcsc_slot` serves the real `struct
 *     card`.
 *
 *   - Reading a card: `struct pcsc_reader` with two back ends (the in-process card, and a real reader through
 *     libpcsclite), and one JPKI client on top. The client sends the same APDUs through either, so a result
 *     that differs between them is a bug in the wire, not in the client.
 *
 * pcsc knows nothing of insurance, clinics or residents. It never prints: the server reports through a log
 * callback, everything else through `struct core_error`. It never installs signal handlers: the caller hands
 * the server a descriptor that becomes readable when it should stop (a signalfd, a pipe).
 */
#ifndef MYNASIM_PCSC_H
#define MYNASIM_PCSC_H

#include "card/card.h"
#include "core/core.h"

/* ---- vpcd framing: a pure decoder --------------------------------------------------------------------- */

#define PCSC_VPCD_FRAME_MAX 65535u

/* vpcd's control codes: a frame whose payload is exactly one byte. */
enum pcsc_vpcd_ctrl {
    PCSC_VPCD_CTRL_OFF = 0,
    PCSC_VPCD_CTRL_ON = 1,
    PCSC_VPCD_CTRL_RESET = 2,
    PCSC_VPCD_CTRL_ATR = 4,
};

/* Decodes a byte stream into frames. Bytes may arrive in any split: a frame split over many feeds, or many
 * frames glued in one. The decoder owns a buffer for one whole frame (zero-length frames are frames too: the
 * caller decides they are malformed). Embed it or allocate it; it holds no pointers. */
struct pcsc_vpcd_decoder {
    size_t have; /* bytes of the current frame received, length prefix included */
    size_t need; /* payload length once both prefix bytes are in */
    uint8_t buf[2u + PCSC_VPCD_FRAME_MAX];
};

void pcsc_vpcd_decoder_init(struct pcsc_vpcd_decoder *dec);
/* Consumes bytes from `data` up to the end of one frame (or all of them). Returns how many it consumed; when
 * a frame completed, sets *frame (pointing into the decoder, valid until the next feed) and *frame_len, else
 * sets *frame to NULL. Call again with the rest of the input until it is used up. */
size_t pcsc_vpcd_decoder_feed(struct pcsc_vpcd_decoder *dec, const uint8_t *data, size_t len,
                              const uint8_t **frame, size_t *frame_len);
/* True between frames (nothing of a frame pending). */
bool pcsc_vpcd_decoder_idle(const struct pcsc_vpcd_decoder *dec);
/* Writes the 2-byte prefix and the payload into out; returns the total, or 0 when it does not fit or the
 * payload is longer than PCSC_VPCD_FRAME_MAX. */
size_t pcsc_vpcd_frame_encode(const uint8_t *payload, size_t len, uint8_t *out, size_t cap);

/* ---- the card as the server sees it -------------------------------------------------------------------- */

/* What the vpcd server needs of a card. `transmit` answers every command (a malformed one with a status word)
 * and returns nonzero only when something beside the answer failed (e.g. saving the state file): the answer
 * is still sent and the error logged. `control` (may be NULL) handles the card's control-channel commands
 * (see pcsc_slot) and writes one reply line without "OK"/"ERR" and without a newline. */
struct pcsc_card_ops {
    size_t (*atr)(void *ctx, uint8_t *out, size_t cap);
    void (*power_on)(void *ctx);
    void (*power_off)(void *ctx);
    void (*reset)(void *ctx);
    int (*transmit)(void *ctx, const uint8_t *capdu, size_t len, uint8_t *rapdu, size_t cap, size_t *rlen,
                    struct core_error *err);
    int (*control)(void *ctx, const char *line, char *reply, size_t cap, struct core_error *err);
};

enum pcsc_vpcd_action {
    PCSC_VPCD_REPLY,     /* send `reply` (already framed) */
    PCSC_VPCD_NO_REPLY,  /* power on/off, reset */
    PCSC_VPCD_MALFORMED, /* drop the connection; the card is untouched */
};

/* The reply buffer a dispatch needs: a framed R-APDU. */
#define PCSC_VPCD_REPLY_MAX (2u + CARD_RAPDU_MAX)

/* Answers one frame: a pure function of the frame and the card. An empty frame and an unknown control code
 * are malformed. `err` gets the card's side failure when transmit returned one (the action is still
 * REPLY). */
enum pcsc_vpcd_action pcsc_vpcd_dispatch(const struct pcsc_card_ops *ops, void *ctx, const uint8_t *frame,
                                         size_t len, uint8_t *reply, size_t cap, size_t *reply_len,
                                         int *card_rc, struct core_error *err);

/* ---- the vpcd server ----------------------------------------------------------------------------------- */

enum pcsc_log_level {
    PCSC_LOG_INFO,
    PCSC_LOG_WARN,
};

struct pcsc_serve_config {
    const char *host;         /* vpcd's address, e.g. "127.0.0.1" */
    unsigned port;            /* vpcd's CHANNELID port */
    const char *control_path; /* unix socket for the control channel, or NULL */
    int stop_fd;              /* readable = stop; -1 for none */
    unsigned backoff_min_ms;  /* first wait before reconnecting (0: 20 ms) */
    unsigned backoff_max_ms;  /* longest wait (0: 500 ms) */
    void (*log)(void *log_ctx, enum pcsc_log_level level, const char *message);
    void *log_ctx;
};

/*
 * Serves a card until stop_fd becomes readable. Connects to vpcd, answers its frames (one send() per reply,
 * TCP_NODELAY, TCP_QUICKACK re-armed after every recv() so vpcd's two-write messages are not held by delayed
 * ACKs), and reconnects with a doubling backoff whenever the connection closes or a malformed frame arrives.
 * The card's state is never touched by a connection failure.
 *
 * The control channel (when control_path is set) is a unix stream socket speaking lines; every command gets
 * one reply line, "OK[ detail]" or "ERR message":
 *   insert           connect to vpcd again (the reader sees a card at its next presence poll)
 *   remove           power the card off and close the connection; stay away until insert (pcscd sees an empty
 *                    reader at its next presence poll, about 0.4 s)
 *   status           "OK inserted=yes|no connected=yes|no apdus=N" + the card's own status
 *   anything else    handed to ops->control (pcsc_slot: swap, save, restore, state)
 * An APDU whose ops->transmit fails (pcsc_slot: a state it could not save; the card answered 6581) is
 * logged as a warning and counted. Returns 0 on a requested stop after no such failure, CORE_ESTATE on a
 * requested stop after one or more (the message counts them), or another error when the listening sockets
 * cannot be set up.
 */
CORE_MUST_USE int pcsc_serve_run(const struct pcsc_serve_config *cfg, const struct pcsc_card_ops *ops,
                                 void *ctx, struct core_error *err);

/* A client of the control channel, kept open for many commands (what `mynasim card control` sends one of).
 * pcsc_control_send writes one line and reads the reply line: CORE_OK on "OK[ detail]" (the detail, without
 * "OK ", copied into reply when reply is not NULL), CORE_ESTATE on "ERR message" (the message in err), CORE_EIO
 * when the channel fails or says nothing within 60 seconds. */
struct pcsc_control;
CORE_MUST_USE int pcsc_control_open(const char *socket_path, struct pcsc_control **out,
                                    struct core_error *err);
CORE_MUST_USE int pcsc_control_send(struct pcsc_control *c, const char *line, char *reply, size_t cap,
                                    struct core_error *err);
void pcsc_control_close(struct pcsc_control *c);

/* "HOST:PORT" → host (copied) and port. */
CORE_MUST_USE int pcsc_parse_host_port(const char *s, char *host, size_t cap, unsigned *port,
                                       struct core_error *err);

/* ---- the served card slot: a struct card with its files ----------------------------------------------- */

/*
 * A slot holds the card being served: made from a profile, optionally backed by a --state file (PIN counters
 * and security state saved atomically after every APDU that changed a counter, loaded at start), and the
 * control-channel commands on the card:
 *   swap PROFILE [STATEFILE]  personalise another card (PROFILE ends in .yaml/.yml) and reset it; with
 *                             STATEFILE, its state is loaded from there when the file exists and saved there
 *                             from now on
 *   swap STATEFILE            restore the current card's state from a state file, then reset
 *   issue PROFILE SERIAL [STATEFILE]
 *                             personalise PROFILE with SERIAL as its auth certificate's serial (the serial J-LIS
 *                             recorded: the wire path's cards, sim/stage) and reset; with STATEFILE, its
 *                             state is loaded from there once (no persistence from then on)
 *   save NAME                 keep a snapshot of the whole card (profile and state) under NAME, in memory
 *   restore NAME              put the snapshot back exactly (no reset: a probe leaves no trace)
 *   state                     the counters: "auth=3/3 sign=5/5 text=3/3 surface=.."
 */
struct pcsc_slot_config {
    const char *profile_path; /* required */
    const char *state_path;   /* may be NULL */
    const char *policy;       /* policy name or path; NULL: "national" */
};

struct pcsc_slot;

CORE_MUST_USE int pcsc_slot_open(const struct pcsc_slot_config *cfg, struct pcsc_slot **out,
                                 struct core_error *err);
void pcsc_slot_free(struct pcsc_slot *slot);
struct card *pcsc_slot_card(struct pcsc_slot *slot);
/* How many temporaries of the state file's atomic writer (left by a kill) pcsc_slot_open removed. */
unsigned pcsc_slot_temporaries_removed(const struct pcsc_slot *slot);
/* The ops that serve a slot (ctx = the slot). */
extern const struct pcsc_card_ops pcsc_slot_ops;
/* One control line (as pcsc_serve_run hands it on). */
CORE_MUST_USE int pcsc_slot_control(struct pcsc_slot *slot, const char *line, char *reply, size_t cap,
                                    struct core_error *err);

/* ---- readers ------------------------------------------------------------------------------------------- */

/* A reader with a card in it: send a command APDU, get the response APDU. */
struct pcsc_reader;

/* The in-process back end: the card itself (not owned), powered on if it was not. */
CORE_MUST_USE int pcsc_reader_open_card(struct card *card, struct pcsc_reader **out, struct core_error *err);
/* The same over any card behind pcsc_card_ops (a pcsc_slot, a test double); calls ops->power_on. */
CORE_MUST_USE int pcsc_reader_open_ops(const struct pcsc_card_ops *ops, void *ctx, struct pcsc_reader **out,
                                       struct core_error *err);
/* The PC/SC back end: the first reader whose name contains `name` (NULL or "": the first reader with a card),
 * connected shared with T=1. */
CORE_MUST_USE int pcsc_reader_open_pcsc(const char *name, struct pcsc_reader **out, struct core_error *err);
/* The name of the reader (for messages). */
const char *pcsc_reader_name(const struct pcsc_reader *reader);
CORE_MUST_USE int pcsc_reader_transmit(struct pcsc_reader *reader, const uint8_t *capdu, size_t len,
                                       uint8_t *rapdu, size_t cap, size_t *rlen, struct core_error *err);
/* A warm reset of the card (SCardReconnect with SCARD_RESET_CARD on PC/SC). */
CORE_MUST_USE int pcsc_reader_reset(struct pcsc_reader *reader, struct core_error *err);
CORE_MUST_USE int pcsc_reader_atr(struct pcsc_reader *reader, uint8_t *out, size_t cap, size_t *len,
                                  struct core_error *err);
void pcsc_reader_close(struct pcsc_reader *reader);

/* ---- the JPKI client ----------------------------------------------------------------------------------- */

enum pcsc_jpki_key {
    PCSC_JPKI_AUTH, /* user authentication: key EF 0017, PIN EF 0018 */
    PCSC_JPKI_SIGN, /* signature: key EF 001A, password EF 001B */
};

/* The last status word a JPKI call saw is kept in *sw when sw is not NULL. Errors: CORE_EIO for the reader,
 * CORE_ESTATE for a refusal of the card (the message names the status word). */
CORE_MUST_USE int pcsc_jpki_select(struct pcsc_reader *reader, uint16_t *sw, struct core_error *err);
/* Reads a certificate whole: its length from the 4-byte DER header, then READ BINARY in chunks of at most 256
 * bytes; 6282 (end of file) ends a short read. No call selects the AP on its own (that clears the PINs). */
CORE_MUST_USE int pcsc_jpki_read_cert(struct pcsc_reader *reader, enum card_cert which, uint8_t *out,
                                      size_t cap, size_t *len, uint16_t *sw, struct core_error *err);
/* Tries left by an empty VERIFY (63Cx). CORE_ENOTFOUND when the card has no such PIN (6A88). */
CORE_MUST_USE int pcsc_jpki_pin_status(struct pcsc_reader *reader, enum pcsc_jpki_key key, int *tries_left,
                                       uint16_t *sw, struct core_error *err);
/* Verifies a PIN. A wrong PIN is CORE_ESTATE with *tries_left set (0 once blocked). */
CORE_MUST_USE int pcsc_jpki_verify(struct pcsc_reader *reader, enum pcsc_jpki_key key, const char *pin,
                                   int *tries_left, uint16_t *sw, struct core_error *err);
/* Signs a DigestInfo with the key (the PIN must be verified in this session): the card pads PKCS#1 v1.5. */
CORE_MUST_USE int pcsc_jpki_sign(struct pcsc_reader *reader, enum pcsc_jpki_key key,
                                 const uint8_t *digest_info, size_t len, uint8_t *sig, size_t cap,
                                 size_t *sig_len, uint16_t *sw, struct core_error *err);
/* The SHA-256 DigestInfo of data (51 bytes). */
#define PCSC_JPKI_DIGEST_INFO_LEN 51u
CORE_MUST_USE int pcsc_jpki_digest_info_sha256(const uint8_t *data, size_t len,
                                               uint8_t out[PCSC_JPKI_DIGEST_INFO_LEN],
                                               struct core_error *err);

#endif
