/*
 * event.c: decisions as events (include/vmspace.h "Decisions as events"):
 * the observer an embedder attaches, the helpers the other files call at
 * their decision points (always behind ev_on(), so that without an observer
 * no event is built), and the one-line text of each event.
 * Not here: the decisions themselves; each file emits its own.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

void vms_sys_set_observer(vms_sys *sys, vms_observer_fn fn, void *arg)
{
	sys->observer = fn;
	sys->observer_arg = fn ? arg : NULL;
}

void ev_emit(const struct vms_mm *mm, int kind, const char *rule, uint64_t start, uint64_t end,
	     struct vms_event *ev)
{
	vms_sys *sys = mm->sys;
	ev->kind = kind;
	ev->rule = rule;
	ev->mm = mm;
	ev->start = start;
	ev->end = end;
	if (sys->observer)
		sys->observer(sys->observer_arg, ev);
}

void ev_vma(const struct vms_mm *mm, int kind, const struct vms_vma *v, int why, const char *rule)
{
	struct vms_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.u.vma.vm_flags = v->flags;
	ev.u.vma.pgoff = v->pgoff;
	ev.u.vma.why = why;
	ev_emit(mm, kind, rule, v->start, v->end, &ev);
}

void ev_split(const struct vms_mm *mm, uint64_t start, uint64_t end, uint64_t addr, int why)
{
	struct vms_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.u.split.addr = addr;
	ev.u.split.why = why;
	ev_emit(mm, VMS_EV_VMA_SPLIT, "__split_vma", start, end, &ev);
}

void ev_limit(const struct vms_mm *mm, const char *rule, int which, int ok, uint64_t asked,
	      uint64_t used, uint64_t max)
{
	struct vms_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.u.limit.which = which;
	ev.u.limit.ok = ok;
	ev.u.limit.asked = asked;
	ev.u.limit.used = used;
	ev.u.limit.max = max;
	if (which == VMS_LIMIT_COMMIT)
		ev.u.limit.policy = mm->sys->overcommit_memory;
	ev_emit(mm, VMS_EV_LIMIT, rule, 0, 0, &ev);
}

/* ---- names ---- */

const char *vms_event_kind_name(int kind)
{
	static const char *const names[] = {
		"?",	     "place",	  "hint",     "vma-new",     "vma-gone",
		"split",     "merge",	  "merge-refused", "limit",  "anon-vma",
		"stack-grow", "resident", "fork-vma", "exec-map",
	};
	return kind > 0 && (size_t)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}

const char *vms_merge_refusal_name(int reason)
{
	static const char *const names[] = {
		"?",	      "special mapping", "policy", "flags",	   "uffd",
		"file",	      "name",		 "anon_vma", "pgoff",	   "vm_ops->close",
		"anon_vma of prev and next",
	};
	return reason > 0 && (size_t)reason < sizeof(names) / sizeof(names[0]) ? names[reason]
										  : "?";
}

/* The refusal in words, for vms_event_text. */
static const char *refusal_words(int reason)
{
	static const char *const words[] = {
		"?",
		"the range is VM_SPECIAL, which never merges",
		"the memory policies differ",
		"the flags differ",
		"only the userfaultfd flags differ",
		"the files differ",
		"the anon VMA names differ",
		"the anon_vmas differ (or one was inherited through fork)",
		"the file offsets do not continue",
		"the VMA a merge would remove has vm_ops->close",
		"prev and next have different anon_vmas",
	};
	return reason > 0 && (size_t)reason < sizeof(words) / sizeof(words[0]) ? words[reason]
										: "?";
}

const char *vms_limit_name(int which)
{
	static const char *const names[] = {
		"?",	      "RLIMIT_AS",     "RLIMIT_DATA", "RLIMIT_STACK",
		"RLIMIT_MEMLOCK", "mlock permission", "max_map_count", "overcommit",
		"hugetlb pool",
	};
	return which > 0 && (size_t)which < sizeof(names) / sizeof(names[0]) ? names[which] : "?";
}

static const char *why_name(int why)
{
	static const char *const names[] = {
		"?", "mmap", "unmap", "brk", "mremap", "attribute change", "fork", "exec", "other",
	};
	return why > 0 && (size_t)why < sizeof(names) / sizeof(names[0]) ? names[why] : "?";
}

/* ---- text ---- */

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t room = o->len < o->size ? o->size - o->len : 0;
	int n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

static void put_size(struct out *o, uint64_t bytes)
{
	if (bytes && !(bytes & ((1ULL << 30) - 1)))
		put(o, "%llu GiB", (unsigned long long)(bytes >> 30));
	else if (bytes && !(bytes & ((1ULL << 20) - 1)))
		put(o, "%llu MiB", (unsigned long long)(bytes >> 20));
	else if (bytes && !(bytes & 1023))
		put(o, "%llu KiB", (unsigned long long)(bytes >> 10));
	else
		put(o, "%llu bytes", (unsigned long long)bytes);
}

static void put_prot(struct out *o, uint64_t f)
{
	put(o, "%c%c%c%c", f & VM_READ ? 'r' : '-', f & VM_WRITE ? 'w' : '-',
	    f & VM_EXEC ? 'x' : '-', f & VM_MAYSHARE ? 's' : 'p');
}

static void put_range(struct out *o, uint64_t start, uint64_t end)
{
	put(o, "%llx-%llx", (unsigned long long)start, (unsigned long long)end);
}

static void text_limit(struct out *o, const struct vms_event *ev)
{
	const char *verdict = ev->u.limit.ok ? "allowed" : "REFUSED";
	unsigned long long asked = ev->u.limit.asked, used = ev->u.limit.used,
			   max = ev->u.limit.max;
	switch (ev->u.limit.which) {
	case VMS_LIMIT_COMMIT: {
		static const char *const pol[] = {"guess (0)", "always (1)", "never (2)"};
		int p = ev->u.limit.policy;
		put(o, "overcommit %s: %llu pages asked", p >= 0 && p <= 2 ? pol[p] : "?", asked);
		if (p == 0)
			put(o, " against RAM + swap %llu pages", max);
		else if (p == 2)
			put(o, ", %llu committed, %llu allowed", used, max);
		put(o, ": %s", verdict);
		break;
	}
	case VMS_LIMIT_STACK:
		put(o, "RLIMIT_STACK: stack of %llu bytes, limit %llu: %s", used + asked, max,
		    verdict);
		break;
	case VMS_LIMIT_MLOCK_CAP:
		put(o, "mlock allowed: RLIMIT_MEMLOCK %llu without CAP_IPC_LOCK: %s", max, verdict);
		break;
	case VMS_LIMIT_MAP_COUNT:
		put(o, "max_map_count: %llu VMAs, %llu more, limit %llu: %s", used, asked, max,
		    verdict);
		break;
	case VMS_LIMIT_HUGETLB:
		put(o, "hugetlb pool: %llu huge pages asked, %llu reserved, %llu free: %s", asked,
		    used, max, verdict);
		break;
	default:
		put(o, "%s: %llu pages + %llu asked", vms_limit_name(ev->u.limit.which), used, asked);
		if (max >= (VMS_RLIM_INFINITY >> 12))
			put(o, ", unlimited");
		else
			put(o, " against %llu", max);
		put(o, ": %s", verdict);
		break;
	}
}

size_t vms_event_text(const struct vms_event *ev, char *buf, size_t size)
{
	struct out o = {buf, size, 0};
	if (size)
		buf[0] = '\0';
	switch (ev->kind) {
	case VMS_EV_PLACE:
		put(&o, "%s search for ", ev->u.place.topdown ? "top-down" : "bottom-up");
		put_size(&o, ev->u.place.length);
		if (ev->u.place.align_mask)
			put(&o, " aligned to %#llx", (unsigned long long)ev->u.place.align_mask + 1);
		put(&o, " in ");
		put_range(&o, ev->u.place.low, ev->u.place.high);
		if (ev->u.place.err)
			put(&o, ": no gap fits (ENOMEM)");
		else {
			put(&o, ": took ");
			put_range(&o, ev->start, ev->end);
			put(&o, ", the %s gap that fits", ev->u.place.topdown ? "highest" : "lowest");
		}
		if (ev->u.place.retries)
			put(&o, " (%u retr%s past a stack guard gap)", ev->u.place.retries,
			    ev->u.place.retries == 1 ? "y" : "ies");
		break;
	case VMS_EV_HINT:
		put(&o, "hint ");
		put_range(&o, ev->start, ev->end);
		switch (ev->u.hint.verdict) {
		case VMS_HINT_TAKEN:
			put(&o, " is free: taken");
			break;
		case VMS_HINT_RAISED:
			put(&o, " is below mmap_min_addr %#llx: raised to it",
			    (unsigned long long)ev->u.hint.floor);
			break;
		case VMS_HINT_OUTSIDE:
			put(&o, " is not below %#llx: ignored, searching",
			    (unsigned long long)ev->u.hint.limit);
			break;
		case VMS_HINT_OVERLAP:
			put(&o, " overlaps the VMA at %llx (or its guard gap): ignored, searching",
			    (unsigned long long)ev->u.hint.vma_start);
			break;
		case VMS_HINT_FIXED:
			put(&o, " is MAP_FIXED: used as is, replacing what is there");
			break;
		case VMS_HINT_NOREPLACE:
			put(&o, " is MAP_FIXED_NOREPLACE over the VMA at %llx: EEXIST",
			    (unsigned long long)ev->u.hint.vma_start);
			break;
		}
		break;
	case VMS_EV_VMA_NEW:
	case VMS_EV_VMA_GONE:
		put(&o, "%s VMA ", ev->kind == VMS_EV_VMA_NEW ? "new" : "removed");
		put_range(&o, ev->start, ev->end);
		put(&o, " ");
		put_prot(&o, ev->u.vma.vm_flags);
		put(&o, " (%s)", why_name(ev->u.vma.why));
		break;
	case VMS_EV_VMA_SPLIT:
		put(&o, "split ");
		put_range(&o, ev->start, ev->end);
		put(&o, " at %llx (%s)", (unsigned long long)ev->u.split.addr,
		    why_name(ev->u.split.why));
		break;
	case VMS_EV_VMA_MERGE: {
		static const char *const with[] = {"?", "prev", "next", "prev and next"};
		int w = ev->u.merge.with >= 1 && ev->u.merge.with <= 3 ? ev->u.merge.with : 0;
		put(&o, "merged ");
		put_range(&o, ev->u.merge.range_start, ev->u.merge.range_end);
		put(&o, " with %s into ", with[w]);
		put_range(&o, ev->start, ev->end);
		put(&o, ": %s, vma_merge case %d", ev->u.merge.vma_case, ev->u.merge.seeds_case);
		break;
	}
	case VMS_EV_MERGE_REFUSED:
		put(&o, "no merge of ");
		put_range(&o, ev->start, ev->end);
		put(&o, " with %s ", ev->u.refuse.side == VMS_MERGE_PREV ? "prev" : "next");
		put_range(&o, ev->u.refuse.vma_start, ev->u.refuse.vma_end);
		put(&o, ": %s", refusal_words(ev->u.refuse.reason));
		break;
	case VMS_EV_LIMIT:
		text_limit(&o, ev);
		break;
	case VMS_EV_ANON_VMA:
		put(&o, "anon_vma %llu %s for ", (unsigned long long)ev->u.anon.id,
		    ev->u.anon.reused ? "reused from a neighbour" : "created");
		put_range(&o, ev->start, ev->end);
		break;
	case VMS_EV_STACK_GROW:
		put(&o, "stack grew by %llu pages to ", (unsigned long long)ev->u.grow.pages);
		put_range(&o, ev->start, ev->end);
		break;
	case VMS_EV_RESIDENT:
		put(&o, "%llu page%s of ", (unsigned long long)ev->u.resident.pages,
		    ev->u.resident.pages == 1 ? "" : "s");
		put_range(&o, ev->start, ev->end);
		put(&o, " made resident (%s)", ev->u.resident.write ? "write" : "read");
		break;
	case VMS_EV_FORK_VMA:
		put(&o, "fork: ");
		put_range(&o, ev->start, ev->end);
		if (!ev->u.fork.copied)
			put(&o, " not copied (VM_DONTCOPY)");
		else
			put(&o, " copied%s%s", ev->u.fork.anon_vma ? ", with its own anon_vma" : "",
			    ev->u.fork.wiped ? ", emptied (VM_WIPEONFORK)" : "");
		break;
	case VMS_EV_EXEC_MAP: {
		static const char *const what[] = {"?", "segment", "stack", "brk", "special mapping"};
		int w = ev->u.exec.what >= 1 && ev->u.exec.what <= 4 ? ev->u.exec.what : 0;
		put(&o, "exec: %s ", what[w]);
		put_range(&o, ev->start, ev->end);
		put(&o, " ");
		put_prot(&o, ev->u.exec.vm_flags);
		break;
	}
	default:
		put(&o, "event %d", ev->kind);
		break;
	}
	if (ev->rule)
		put(&o, " [%s]", ev->rule);
	return o.len;
}
