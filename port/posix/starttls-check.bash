# starttls-check.bash - bash completion for starttls-check
#
# Installed as share/bash-completion/completions/starttls-check. Completes
# the options of --help (tests/integration/install.sh compares the lists)
# and file names after -file and --ca-file; other values are left to the
# user. Options are completed in --help's spelling.

_starttls_check_opts='-domain -file -column --host --expect --port --implicit-tls
--ehlo --timeout --banner-timeout --resolver --trust-resolver --ca-file --warn-days --parallel
--max-dns --per-address --cache-age --quick --max-sessions --probe-pause --probe-time --jobs --format
--json --nagios --ordered --resume --aggregate --line-offset --verbose --stats
--arena-kb --help --version'

# _starttls_check - the completion function bash calls
_starttls_check()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=
    local IFS=$'\n'
    [ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
    COMPREPLY=()
    case $prev in
    -file | --file | -ca-file | --ca-file | -resume | --resume | -aggregate | --aggregate)
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -- "$cur"))
        return 0
        ;;
    -domain | --domain | -column | --column | -host | --host | -expect | --expect | \
        -port | --port | -ehlo | --ehlo | -timeout | --timeout | \
        -banner-timeout | --banner-timeout | -resolver | --resolver | \
        -warn-days | --warn-days | -parallel | --parallel | \
        -max-dns | --max-dns | -per-address | --per-address | -cache-age | --cache-age | -jobs | --jobs | -j | \
        -max-sessions | --max-sessions | -probe-pause | --probe-pause | \
        -probe-time | --probe-time | -line-offset | --line-offset | \
        -arena-kb | --arena-kb)
        return 0 # a value of the user's own
        ;;
    -format | --format)
        COMPREPLY=($(compgen -W "text json nagios" -- "$cur"))
        return 0
        ;;
    esac
    if [[ $cur == -* ]]; then
        IFS=$' \t\n'
        COMPREPLY=($(compgen -W "$_starttls_check_opts" -- "$cur"))
    fi
    return 0
}
complete -F _starttls_check starttls-check
