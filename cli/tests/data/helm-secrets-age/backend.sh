#!/usr/bin/env sh
# A helm-secrets secret backend on age (Debian's `age` package), loaded by helm-secrets as an
# out-of-tree backend (`HELM_SECRETS_BACKEND=<this file>`): it defines the `_custom_backend_*`
# functions that helm-secrets calls. An encrypted file is age's ASCII armour of the whole
# file; the identity is the file `$HELM_SECRETS_AGE_KEY`, and files are encrypted to its
# public key.

_AGE_ARMOR_HEADER='-----BEGIN AGE ENCRYPTED FILE-----'

_age_recipient() {
    age-keygen -y "${HELM_SECRETS_AGE_KEY}"
}

_custom_backend_is_file_encrypted() {
    grep -q -e "${_AGE_ARMOR_HEADER}" "${1}"
}

_custom_backend_is_encrypted() {
    grep -q -e "${_AGE_ARMOR_HEADER}" -
}

_custom_backend_encrypt_file() {
    input="${2}"
    # if omitted, to stdout
    output="${3:-}"

    if [ "${input}" = "${output}" ]; then
        age -a -r "$(_age_recipient)" -o "${input}.age" "${input}" && mv "${input}.age" "${input}"
    elif [ "${output}" = "" ]; then
        age -a -r "$(_age_recipient)" "${input}"
    else
        age -a -r "$(_age_recipient)" -o "${output}" "${input}"
    fi
}

_custom_backend_decrypt_file() {
    input="${2}"
    # if omitted, to stdout
    output="${3:-}"

    if [ "${input}" = "-" ]; then
        input=/dev/stdin
    fi
    if [ "${input}" = "${output}" ]; then
        age -d -i "${HELM_SECRETS_AGE_KEY}" -o "${input}.dec.tmp" "${input}" && mv "${input}.dec.tmp" "${input}"
    elif [ "${output}" = "" ]; then
        age -d -i "${HELM_SECRETS_AGE_KEY}" "${input}"
    else
        age -d -i "${HELM_SECRETS_AGE_KEY}" -o "${output}" "${input}"
    fi
}

_custom_backend_decrypt_literal() {
    printf '%s' "${1}" | age -d -i "${HELM_SECRETS_AGE_KEY}"
}

_custom_backend_edit_file() {
    fatal "age backend: editing files is not supported"
}
