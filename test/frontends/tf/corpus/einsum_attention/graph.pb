
:
xPlaceholder*
shape:*
dtype0
;
x1Placeholder*
shape:*
dtype0
O
einsum/EinsumEinsumxx1*
T0*
equationbhqd,bhkd->bhqk*
N
,
IdentityIdentityeinsum/Einsum*
T0"ª