// The few C shims Swift needs to drive libcurl: curl_easy_setopt, curl_easy_getinfo and
// curl_multi_setopt are variadic macros-over-functions, which Swift cannot call directly.
#ifndef ROOST_CCURL_SHIM_H
#define ROOST_CCURL_SHIM_H

#include <curl/curl.h>

static inline CURLcode roost_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode roost_easy_setopt_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode roost_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode roost_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode roost_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

/// Copies `length` bytes of a PEM or DER blob (CA bundle, client certificate, client key).
static inline CURLcode roost_easy_setopt_blob(CURL *handle, CURLoption option, const void *data, size_t length) {
    struct curl_blob blob;
    blob.data = (void *)data;
    blob.len = length;
    blob.flags = CURL_BLOB_COPY;
    return curl_easy_setopt(handle, option, &blob);
}

typedef size_t (*roost_data_callback)(char *data, size_t size, size_t count, void *user);

static inline CURLcode roost_easy_setopt_data_callback(CURL *handle, CURLoption option, roost_data_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

static inline CURLcode roost_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode roost_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLMcode roost_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

static inline int roost_curl_pause_continue(void) { return CURLPAUSE_CONT; }
static inline size_t roost_curl_writefunc_pause(void) { return CURL_WRITEFUNC_PAUSE; }

/// The result code of a finished transfer from a CURLMSG_DONE message.
static inline CURLcode roost_multi_message_result(const CURLMsg *message) { return message->data.result; }

#endif
