/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every pin method, once. METHOD(ident) expands to the struct method the
 * file benches/method-<name>.c defines as method_<ident>.
 * Adding a method: one file, one line here.
 */
METHOD(iouring)
METHOD(xdp_umem)
METHOD(pvm_read)
METHOD(pvm_write)
METHOD(gup_fast)
METHOD(pin_fast)
METHOD(pin_longterm)
METHOD(gup_basic)
METHOD(pin_basic)
METHOD(dio_read)
METHOD(dio_write)
METHOD(vmsplice)
METHOD(procmem_read)
METHOD(procmem_write)
METHOD(populate_read)
METHOD(populate_write)
METHOD(fork)
METHOD(fio)
